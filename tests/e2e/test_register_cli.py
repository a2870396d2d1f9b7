"""The register comparison from the command line, as an office runs it: generate, import, load
the register, compare, and write 附件3 with the mobilisation lists."""

from __future__ import annotations

import csv

from tests.e2e.test_cli import run_cli


def test_an_office_compares_the_ledger_with_the_register_and_writes_annex_3(empty_database, tmp_path):
    extract, register, annex = tmp_path / "ex.csv", tmp_path / "reg.csv", tmp_path / "annex"
    for args in (("demo-data", "--persons", "600", "--out", str(extract), "--register", str(register)),
                 ("import", str(extract)), ("reference", "load", str(register), "--name", "2026年11月")):
        done = run_cli(*args, DATABASE_URL=empty_database)
        assert done.returncode == 0, done.stderr
    compared = run_cli("reference", "compare", "--as-of", "2019-12-31", DATABASE_URL=empty_database, COLUMNS="160")
    assert compared.returncode == 0 and "人口库中无此人" in compared.stdout and "2026年11月" in compared.stdout
    reported = run_cli("report", "non-enrolled", "--as-of", "2019-12-31", "--out", str(annex),
                       DATABASE_URL=empty_database)
    assert reported.returncode == 0, reported.stderr
    with (annex / "附件3-不参加基本医疗保险人员情况表.csv").open(encoding="utf-8-sig") as f:
        header, *rows = list(csv.reader(f))
    assert header[:3] == ["序号", "户籍地区划", "合计"]
    *regions, total = rows
    assert total[1] == "合计" and int(total[2]) == sum(int(r[2]) for r in regions) > 0
    assert all(int(r[2]) == sum(int(v) for v in r[3:]) for r in regions)
    assert len(list(annex.glob("参保动员名单-*.xlsx"))) == len(regions)


def test_a_version_name_is_never_reused_and_the_refusal_is_one_line(empty_database, tmp_path):
    register = tmp_path / "reg.csv"
    register.write_text("公民身份号码,姓名,性别,出生日期,户籍地区划\n11010119900307803X,张三,1,19900307,110101\n",
                        encoding="utf-8")
    assert run_cli("reference", "load", str(register), DATABASE_URL=empty_database).returncode == 0
    again = run_cli("reference", "load", str(register), DATABASE_URL=empty_database)
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr


def test_the_national_cross_province_feedback_is_matched_to_persons_enrolled_here(empty_database, tmp_path):
    from openpyxl import load_workbook

    from demo.population import write_extract
    from eventlog.store import EventStore
    from projections.catalog import PROJECTIONS
    from projections.runner import ProjectionRunner

    extract = tmp_path / "ex.csv"
    write_extract(extract, persons=200, seed=4)
    assert run_cli("import", str(extract), DATABASE_URL=empty_database).returncode == 0
    store = EventStore(empty_database)
    try:
        runner = ProjectionRunner(store.datastore)
        for projection in PROJECTIONS:
            runner.catch_up(projection)
        with store.datastore.get_connection() as conn:
            enrolled = [r["id_number"] for r in conn.execute(
                "SELECT DISTINCT p.id_number FROM person_view p JOIN current_enrollment e USING (person_id) "
                "WHERE p.certificate_type = '01' AND length(p.id_number) = 18 ORDER BY 1 LIMIT 2")]
    finally:
        store.close()
    feedback = tmp_path / "跨省重复参保反馈.csv"
    feedback.write_text("公民身份号码,姓名,外省参保地,外省险种类型,外省参保开始年月,外省参保单位\n"
                        f"{enrolled[0]},甲,330106,310,202001,杭州某公司\n{enrolled[1]},乙,440305,390,201801,\n"
                        "11010119900307803X,丙,110101,390,201501,\n"  # nobody enrolled here
                        f"{enrolled[0]},甲,330106,999,2020-01,\n", encoding="utf-8")  # two faulty cells
    done = run_cli("import", "cross-province", str(feedback), DATABASE_URL=empty_database)
    assert done.returncode == 0, done.stderr
    assert "3 rows of 4 kept (1 refused)" in done.stdout and "1 rows naming nobody enrolled here" in done.stdout
    sheet = load_workbook(tmp_path / "跨省重复参保反馈-附件5.xlsx").active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:5] == ("序号", "参保地", "个人编号", "姓名", "身份证号码")
    assert {r[4] for r in rows} == set(enrolled)
    assert any("跨省" in r[-1] and "330106" in r[-1] for r in rows)
    again = run_cli("import", "cross-province", str(feedback), DATABASE_URL=empty_database)
    assert again.returncode == 2 and "loaded already" in again.stderr
