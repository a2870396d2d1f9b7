import csv
import os
import re
import subprocess
import sys

from demo.population import write_extract
from eventlog.store import EventStore
from projections.catalog import PROJECTIONS
from projections.runner import ProjectionRunner
from tests.e2e.conftest import ROOT


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "canbao", *args],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate"):
        assert command in result.stdout


def test_an_unreachable_database_gives_one_clear_line_naming_the_host_not_the_password():
    result = run_cli("migrate", DATABASE_URL="postgresql://clerk:s3cret@db.invalid:5433/ledger")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "db.invalid" in lines[0] and "s3cret" not in lines[0] and "****" in lines[0]
    assert "Traceback" not in result.stderr


def test_migrate_applies_then_has_nothing_to_apply(empty_database):
    first = run_cli("migrate", DATABASE_URL=empty_database)
    again = run_cli("migrate", DATABASE_URL=empty_database)
    assert first.returncode == 0 and "applied 0001_command_log.sql" in first.stdout
    assert again.returncode == 0 and "nothing to apply" in again.stdout


def test_without_a_database_url_the_embedded_postgresql_is_started_in_the_data_dir_and_reused(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    data_dir = tmp_path / "pg"

    def migrate() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "canbao", "migrate", "--data-dir", str(data_dir)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    first, again = migrate(), migrate()
    assert first.returncode == 0 and "applied 0001_command_log.sql" in first.stdout, first.stderr
    assert again.returncode == 0 and "nothing to apply" in again.stdout  # the same data, kept across runs
    assert (data_dir / "PG_VERSION").exists()


def test_importing_a_file_that_is_not_a_workbook_fails_in_one_line_without_a_traceback(empty_database, tmp_path):
    broken = tmp_path / "extract.xlsx"
    broken.write_bytes(b"PK not really a workbook")
    result = run_cli("import", str(broken), DATABASE_URL=empty_database)
    assert result.returncode == 2
    assert "extract.xlsx cannot be read as an XLSX workbook" in result.stderr and "Traceback" not in result.stderr


def test_a_report_made_right_after_an_import_lists_what_was_imported(empty_database, tmp_path):
    extract, listed = tmp_path / "extract.csv", tmp_path / "within.csv"
    write_extract(extract, persons=1_000, seed=3)
    imported = run_cli("import", str(extract), "--errors", str(tmp_path / "refused.xlsx"), DATABASE_URL=empty_database)
    assert imported.returncode == 0, imported.stderr
    report = run_cli("report", "duplicates", "--kind", "within", "--out", str(listed), DATABASE_URL=empty_database)
    assert report.returncode == 0, report.stderr
    with listed.open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))[1:]
    assert lines and f"{len(lines):,} lines written" in report.stdout
    store = EventStore(empty_database)
    try:
        assert not [s for s in ProjectionRunner(store.datastore).status(PROJECTIONS) if s.behind]
    finally:
        store.close()


def test_the_roster_of_a_unit_the_ledger_never_heard_of_is_refused_and_no_file_is_written(empty_database, tmp_path):
    target = tmp_path / "roster.xlsx"
    result = run_cli("export", "roster", "NOSUCHUNIT", "--out", str(target), DATABASE_URL=empty_database)
    assert result.returncode == 2 and "no unit NOSUCHUNIT" in result.stderr and not target.exists()


def test_a_data_directory_the_embedded_server_cannot_use_is_refused_in_one_line(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-m", "canbao", "migrate", "--data-dir", str(blocked / "pg")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.strip()]
    assert "embedded PostgreSQL cannot start" in line and "DATABASE_URL" in line


def test_a_monthly_contribution_file_is_recognised_by_its_header_and_its_bad_rows_listed(empty_database, tmp_path):
    extract, monthly, refused = tmp_path / "extract.csv", tmp_path / "缴费明细.csv", tmp_path / "refused.xlsx"
    write_extract(extract, persons=300, seed=5)
    assert run_cli("import", str(extract), "--errors", str(tmp_path / "x.xlsx"), DATABASE_URL=empty_database
                   ).returncode == 0
    with extract.open(encoding="utf-8-sig") as f:
        enrolled = [r for r in csv.DictReader(f) if r["险种类型"] == "310" and r["参保状态"] == "1"][:10]
    with monthly.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["证件号码", "险种类型", "参保地医保区划编码", "单位编号", "费款所属期", "缴费基数",
                         "单位缴纳金额", "个人缴纳金额"])
        writer.writerows([r["证件号码"], "310", r["参保地医保区划编码"], r["单位编号"], r["缴费起始年月"],
                          "5000", "400", "100"] for r in enrolled)
        writer.writerow([enrolled[0]["证件号码"], "310", "350102", "X", "2020", "5000", "400", "100"])  # no month
    first = run_cli("import", str(monthly), "--errors", str(refused), DATABASE_URL=empty_database)
    assert first.returncode == 0, first.stderr
    assert counts(first.stdout) == ["11", "10", "0", "1"] and refused.exists()  # read, recorded, again, refused
    again = run_cli("import", str(monthly), "--errors", str(tmp_path / "again.xlsx"), DATABASE_URL=empty_database)
    assert counts(again.stdout) == ["11", "0", "10", "1"]


def counts(table: str) -> list[str]:
    """The first four figures of the summary table's one data row."""
    [line] = [line for line in table.splitlines() if re.match(r"│\s*[0-9]", line)]
    return [cell.strip() for cell in line.strip("│").split("│")][:4]


def test_a_printed_certificate_verifies_and_a_made_up_code_does_not(empty_database, tmp_path):
    extract, pdf = tmp_path / "extract.csv", tmp_path / "凭证.pdf"
    write_extract(extract, persons=100, seed=8)
    assert run_cli("import", str(extract), "--errors", str(tmp_path / "x.xlsx"), DATABASE_URL=empty_database
                   ).returncode == 0
    with extract.open(encoding="utf-8-sig") as f:
        person = next(r for r in csv.DictReader(f) if r["证件类型"] == "01" and len(r["证件号码"]) == 18)
    printed = run_cli("print", "certificate", person["证件号码"], "--out", str(pdf), DATABASE_URL=empty_database)
    assert printed.returncode == 0, printed.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and "verification code:" in printed.stdout
    checked = run_cli("print", "verify", str(pdf), DATABASE_URL=empty_database)
    assert checked.returncode == 0 and "genuine and unchanged" in checked.stdout
    made_up = run_cli("print", "verify", "AAAA-BBBB-CCCC-DDDD", DATABASE_URL=empty_database)
    assert made_up.returncode == 1 and "not issued by this ledger" in made_up.stdout


def test_a_failure_message_reaches_the_user_as_written_brackets_and_all(empty_database, tmp_path):
    schedule = tmp_path / "2027.toml"
    schedule.write_text('[years.2027]\nholidays = ["2027-01-02"]\n', encoding="utf-8")  # a Saturday
    result = run_cli("calendar", "load", str(schedule), DATABASE_URL=empty_database)
    assert result.returncode == 2 and "[years.2027] holidays: 2027-01-02 is a weekend day" in result.stderr
