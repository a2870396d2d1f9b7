"""The service hall and office console over real HTTP, as a browser drives them (forms, cookies,
redirects): a unit agent files a retirement, an office of the insured region carries it through,
the unit agent sees it completed; no page shows anyone outside the user's scope."""

from __future__ import annotations

import re
import time
from datetime import date
from urllib.parse import quote

import httpx
import pytest

from ledger_api.auth import Principal
from tests.e2e.client import Client, token_for
from tests.e2e.hall import AGENT, GULOU, RETIREE, STRANGER, hall_server
from tests.support.builders import resident_id


@pytest.fixture(scope="module")
def site(server_conninfo):
    with hall_server(server_conninfo, "canbao_pages") as base:
        yield base


def browser(base: str, who: Principal) -> httpx.Client:
    """Signed in through the sign-in form, as a person with that token would."""
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    page = client.post("/ui/signin", data={"token": token_for(who)})
    assert page.status_code == 200 and "退出" in page.text, page.text
    return client


def offered(console: httpx.Client, step: str) -> tuple[str, str]:
    """The console page once it offers `step` for a request (the 台账 follows the log), and that request."""
    for _ in range(50):
        page = console.get("/ui/").text
        found = re.search(r"/ui/requests/([0-9a-f-]{36})/" + step, page)
        if found:
            return page, found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"the console never offered {step}")


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_a_unit_files_a_retirement_and_an_office_carries_it_through_to_the_roster(site):
    hall = browser(site, AGENT)
    for _ in range(50):  # the roster is a read model: it follows the log in the background
        home = hall.get("/ui/")
        if RETIREE in home.text:
            break
        time.sleep(0.1)
    assert "单位网上服务大厅" in home.text and RETIREE in home.text and STRANGER not in home.text
    filed = hall.post("/ui/file", data={"csrf": csrf(home.text), "command": "Retire", "id_number": RETIREE,
                                        "effective": "2026-12-01"},
                      files=[("material", ("登记表.pdf", b"%PDF form", "application/pdf")),
                             ("material", ("身份证.jpg", b"\xff\xd8 id", "image/jpeg"))])
    assert "已提交，等待医保经办机构审核" in filed.text

    console = browser(site, GULOU)
    for step in ("accept", "approve", "complete"):
        page, request_id = offered(console, step)
        done = console.post(f"/ui/requests/{request_id}/{step}", data={"csrf": csrf(page)})
        assert "已办理" in done.text, done.text

    for _ in range(50):  # the roster is a read model: it follows the log in the background
        page = hall.get("/ui/?as_of=2026-12-07").text
        if "<td>办结</td>" in page and "退休" in page:
            break
        time.sleep(0.1)
    assert "<td>办结</td>" in page and "退休" in page  # the request completed; the roster shows a retired person type


def test_a_form_without_the_sites_csrf_token_is_refused(site):
    hall = browser(site, AGENT)
    answer = hall.post("/ui/file", data={"csrf": "forged", "command": "Retire", "id_number": RETIREE,
                                         "effective": "2026-12-01"})
    assert "CSRF" in answer.text and "已提交" not in answer.text


def test_no_page_shows_a_person_outside_the_users_scope(site):
    hall = browser(site, AGENT)
    for url in (f"/ui/person?id={STRANGER}", f"/ui/person?id={STRANGER.lower()}", "/ui/person?id=" + STRANGER[:6] +
                STRANGER[8:17]):
        page = hall.get(url).text
        assert "未找到，或不在您的查询范围内" in page and "林老师" not in page and "<svg" not in page
    office = browser(site, GULOU).get(f"/ui/person?id={STRANGER}").text
    assert "林老师" in office and "<svg" in office  # the office of the region sees the history and its picture


def test_without_a_token_every_page_leads_to_sign_in(site):
    anonymous = httpx.Client(base_url=site, follow_redirects=True)
    for url in ("/ui/", f"/ui/person?id={RETIREE}", "/"):
        assert "令牌从哪里来" in anonymous.get(url).text
    bad = anonymous.post("/ui/signin", data={"token": "not-a-token"})
    assert "退出" not in bad.text and "error" in bad.text


def test_the_hall_downloads_the_roster_with_the_cells_to_check_red_and_prints_a_staff_proof(site):
    from io import BytesIO

    from openpyxl import load_workbook

    hall = browser(site, AGENT)
    home = hall.get("/ui/?as_of=2026-12-07").text
    assert 'class="fault"' in home and "联系电话缺失" in home  # the staff have no phone on record
    workbook = hall.get("/ui/roster.xlsx?as_of=2026-12-07")
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(workbook.content)).active
    header = [c.value for c in sheet[1]]
    phone = sheet.cell(row=2, column=header.index("联系电话") + 1)
    assert phone.fill.fgColor.rgb == "FFFF0000" and "联系电话缺失" in phone.comment.text

    proof = hall.post("/ui/print", data={"csrf": csrf(home), "kind": "proof", "id_number": RETIREE})
    assert proof.headers["content-type"] == "application/pdf" and proof.content.startswith(b"%PDF")
    refused = hall.post("/ui/print", data={"csrf": csrf(home), "kind": "proof", "id_number": STRANGER})
    assert refused.headers["content-type"].startswith("text/html") and "未能打印" in refused.text


def test_a_click_on_the_picture_opens_the_snapshot_as_known_then(site):
    office = browser(site, GULOU)
    page = office.get(f"/ui/person?id={RETIREE}").text
    link = re.search(r'<a href="(/ui/person\?id=[^"]+&amp;as_of=2010-01-01&amp;known_at=[^"]+)">', page)
    assert link, "each bar links to the snapshot at its start, as known at its row's time"
    snapshot = office.get(link.group(1).replace("&amp;", "&")).text
    assert "2010-01-01 的参保状态" in snapshot and "按 " in snapshot and "职工基本医疗保险" in snapshot


def test_the_console_shows_the_worklists(site):
    console = browser(site, GULOU).get("/ui/").text
    for heading in ("待办申请", "重复参保", "数据异常", "与人口库比对"):
        assert heading in console


def test_the_hall_adds_staff_changes_a_phone_and_files_a_departure(site):
    newcomer = resident_id(region="350102", born=date(1995, 8, 8), seq="139")
    hall = browser(site, AGENT)
    home = hall.get("/ui/").text
    added = hall.post("/ui/staff", data={
        "csrf": csrf(home), "action": "add", "id_number": newcomer, "name": "周新", "gender": "1",
        "birth_date": "1995-08-08", "region": "350102", "phone": "", "effective": "2026-12-01"})
    assert "已办理" in added.text, added.text
    changed = hall.post("/ui/staff", data={"csrf": csrf(home), "action": "phone", "id_number": newcomer,
                                           "phone": "13912345678"})
    assert "已办理" in changed.text, changed.text
    for _ in range(50):
        page = hall.get("/ui/?as_of=2026-12-07").text
        if "周新" in page and "13912345678" in page:
            break
        time.sleep(0.1)
    assert "周新" in page and "13912345678" in page
    left = hall.post("/ui/staff", data={"csrf": csrf(home), "action": "leave", "id_number": newcomer,
                                        "reason": "6301", "effective": "2026-12-05"})
    assert "已办理" in left.text, left.text
    stranger = hall.post("/ui/staff", data={"csrf": csrf(home), "action": "leave", "id_number": STRANGER,
                                            "reason": "6301", "effective": "2026-12-05"})
    assert "未能办理" in stranger.text  # another unit's staff member: never found, never moved


def test_the_console_downloads_the_annexes_and_a_unit_may_not(site):
    from io import BytesIO

    from openpyxl import load_workbook

    console = browser(site, GULOU)
    for annex, first_header in (("2", "医保区划"), ("3", "户籍地区划"), ("4", "参保地"), ("5", "参保地")):
        got = console.get(f"/ui/report/{annex}.xlsx?as_of=2019-12-31&before=2026-12-07T09:00")
        assert got.headers["content-type"].startswith("application/vnd.openxmlformats"), got.text[:300]
        assert load_workbook(BytesIO(got.content)).active.cell(row=1, column=1).value == first_header
    refused = browser(site, AGENT).get("/ui/report/5.xlsx")
    assert "未能导出" in refused.text and "reports are for offices" in refused.text


def test_a_unit_prints_the_proof_of_its_whole_staff_and_an_office_of_another_city_may_not(site):
    hall = browser(site, AGENT)
    home = hall.get("/ui/").text
    proof = hall.post("/ui/print?as_of=2026-12-07", data={"csrf": csrf(home), "kind": "unit_proof"})
    assert proof.headers["content-type"] == "application/pdf" and proof.content.startswith(b"%PDF")
    xiamen = Client(site, Principal("clerk-xiamen", "office", region="350200"))
    refused = xiamen.post('mutation { printUnitProof(unitCode: "%s") { fileName } }' % AGENT.unit_code)
    assert refused["errors"] and "outside your scope" in refused["errors"][0]["message"]


def test_the_hall_corrects_a_staff_members_name_with_its_materials_at_once(site):
    hall = browser(site, AGENT)
    home = hall.get("/ui/").text
    corrected = hall.post("/ui/correct", data={"csrf": csrf(home), "id_number": RETIREE, "field": "name",
                                               "value": "林老师傅"},
                          files=[("material", ("凭证.jpg", b"\xff\xd8 e-card", "image/jpeg")),
                                 ("material", ("变更登记表.pdf", b"%PDF form", "application/pdf"))])
    assert "已变更" in corrected.text, corrected.text
    office = Client(site, GULOU)
    history = office.data(f'{{ person(idNumber: "{RETIREE}") '
                          '{ name history { type serviceItem evidence cause } } }')
    assert history["person"]["name"] == "林老师傅"
    [event] = [e for e in history["person"]["history"] if e["type"] == "person.base_info_corrected"]
    assert event["serviceItem"] == "002036001005" and event["cause"]
    assert any(item.startswith("基本医疗保险参保信息变更登记表 sha256:") for item in event["evidence"])


@pytest.mark.parametrize("hostile", ["\x00", "1" * 5000, "💥", "' OR 1=1 --", "<script>alert(1)</script>", "%00"])
def test_a_hostile_query_string_gets_a_page_never_a_server_error(site, hostile):
    office = browser(site, GULOU)
    for path, params in (("/ui/person", {"id": hostile}), ("/ui/", {"as_of": hostile}),
                         ("/ui/person", {"id": RETIREE, "known_at": hostile})):
        answer = office.get(path, params=params)
        assert answer.status_code < 500, (path, params, answer.text[:300])
        assert "<script>alert(1)</script>" not in answer.text  # escaped wherever it is echoed
    refused = office.post(f"/ui/requests/{quote(hostile[:40], safe='')}/accept", data={"csrf": "x"})
    assert refused.status_code < 500


def test_a_link_from_elsewhere_cannot_make_a_page_say_anything(site):
    page = browser(site, AGENT).get("/ui/", params={"refused": "令牌已过期，请致电 400-000-0000",
                                                     "notice": "请重新登录"}).text
    assert "400-000-0000" not in page and "请重新登录" not in page
