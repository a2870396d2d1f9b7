"""The unit service hall, the office console and a person's own page, in a browser (seeds 002
and 004): server-rendered pages, Chinese first, with no JavaScript and nothing fetched from
elsewhere. Every page reads and writes through the same GraphQL schema outside portals use,
executed in-process with the signed-in principal — there is no second path to the data.

The token a user signs in with is kept in an HttpOnly, SameSite=Strict cookie; every form
carries a CSRF token that must equal the one in its own cookie (double submit).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from uuid import uuid4

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from domain.clock import business_date
from domain.requests.catalogue import catalogue
from ledger_api.auth import NotAuthorised, Principal, principal_from_header
from ledger_api.context import RequestContext
from projections.report_files import write_table
from projections.reports import ROSTER_REQUIRED

TOKEN, CSRF, FLASH = "canbao_token", "canbao_csrf", "canbao_flash"
MAX_FLASH = 600  # characters of a message carried to the next page
MAX_UPLOAD = 20 * 1024 * 1024  # one scanned form
RETIREMENT_ITEM = "002036001002"
CORRECTION_ITEM = "002036001005"  # 职工参保信息变更登记: with its materials, done at once (即时办结)
CORRECTABLE = {"name": "姓名", "gender": "性别", "birth_date": "出生日期", "ethnicity": "民族", "address": "地址"}
ROLE_LABELS = {"office": "经办机构", "unit_agent": "单位经办人", "person": "参保人", "auditor": "审计",
               "analyst": "分析"}
OFFICE_STEPS = {"applied": [("accept", "受理")], "accepted": [("approve", "审核通过"), ("reject", "审核不通过"),
                                                             ("complete", "办结")], "approved": [("complete", "办结")]}
MUTATION_OF_STEP = {"accept": "acceptRequest", "approve": "approveRequest", "reject": "rejectRequest",
                    "complete": "completeRequest"}
REQUESTS = """query($stage: String) { serviceRequests(stage: $stage, first: 200) { edges { node {
  requestId itemName command idNumber region stage stageLabel due dueProvisional overdue rejection } } } }"""
UNIT = """query($code: String!, $asOf: Date) { unit(code: $code) { name rosterHeaders
  rosterCheck(asOf: $asOf) { cells faults { column reason } } } }"""
PERSON = """query($id: String!, $asOf: Date, $knownAt: DateTime) { person(idNumber: $id) { name idNumber historyChart
  snapshot(asOf: $asOf, knownAt: $knownAt) { insuranceType { label } region status { label } personType { label }
    unitCode validFrom validTo }
  history(knownAt: $knownAt) { recordedAt validDate type actor { kind id } channel { label } evidence cause } } }"""
OPEN_SPELLS = """query($id: String!, $asOf: Date) { person(idNumber: $id) { snapshot(asOf: $asOf) {
  enrollmentId unitCode } } }"""
WORKLISTS = """{ duplicateSets(first: 50) { edges { node { kindLabel idNumber name firstRegion secondRegion action
    confirmingRegion } } }
  anomalies(first: 50) { edges { node { subjectCode region kindLabel detail } } }
  registerFindings(first: 50) { edges { node { kindLabel region idNumber name detail } } } }"""
PRINT = """mutation($kind: DocumentKind!, $id: String!) { printDocument(kind: $kind, idNumber: $id) {
  fileName pdfBase64 } }"""
REPORT = """query($annex: String!, $asOf: Date!, $before: DateTime) {
  cleanupReport(annex: $annex, asOf: $asOf, before: $before) { title headers rows } }"""
PRINTABLE = {"certificate": "CERTIFICATE", "proof": "PROOF", "contributions": "CONTRIBUTIONS"}
UNIT_PROOF = """mutation($code: String!, $asOf: Date) { printUnitProof(unitCode: $code, asOf: $asOf) {
  fileName pdfBase64 } }"""


class PageError(Exception):
    """What the API refused, in its own words, for the page to show, and the rules it named."""

    def __init__(self, message: str, rules: frozenset[str] = frozenset()) -> None:
        super().__init__(message)
        self.rules = rules


class Pages:
    def __init__(self, graphql: Any, token_secret: str, secure_cookies: bool = False) -> None:
        self.graphql, self.secret, self.secure = graphql, token_secret, secure_cookies
        self.templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                                     autoescape=select_autoescape(["html"]))

    def routes(self) -> list[Route]:
        return [Route("/ui", self.home), Route("/ui/", self.home),
                Route("/ui/signin", self.signin, methods=["GET", "POST"]),
                Route("/ui/signout", self.signout, methods=["POST"]), Route("/ui/person", self.person),
                Route("/ui/file", self.file, methods=["POST"]), Route("/ui/roster.xlsx", self.roster_xlsx),
                Route("/ui/print", self.print, methods=["POST"]), Route("/ui/staff", self.staff, methods=["POST"]),
                Route("/ui/report/{annex}.xlsx", self.report), Route("/ui/correct", self.correct, methods=["POST"]),
                Route("/ui/requests/{request_id}/{step}", self.step, methods=["POST"])]

    # ---- who is asking -----------------------------------------------------------------

    def principal(self, request: Request) -> Principal | None:
        token = request.cookies.get(TOKEN)
        try:
            return principal_from_header(self.secret, f"Bearer {token}") if token else None
        except NotAuthorised:
            return None

    async def ask(self, who: Principal, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        context = RequestContext(self.graphql.backend, self.graphql.sealer, who)
        result = await self.graphql.schema.execute(document, variable_values=variables or {}, context_value=context)
        if result.errors:
            raise PageError("；".join(e.message for e in result.errors))
        return result.data or {}

    async def do(self, who: Principal, mutation: str, fields: dict[str, Any]) -> None:
        input_type = mutation[0].upper() + mutation[1:] + "Input"
        document = (f"mutation($input: {input_type}!) {{ {mutation}(input: $input) "
                    "{ ok errors { label message rule } } }")
        data = await self.ask(who, document, {"input": {"commandId": str(uuid4()), **fields}})
        answer = data[mutation]
        if not answer["ok"]:
            raise PageError("；".join(f"{e['label']}：{e['message']}" for e in answer["errors"]),
                            frozenset(e["rule"] for e in answer["errors"]))

    def render(self, request: Request, template: str, who: Principal | None, **values: Any) -> HTMLResponse:
        csrf = request.cookies.get(CSRF) or secrets.token_urlsafe(24)
        kind, _, text = unquote(request.cookies.get(FLASH, "")).partition(":")
        messages = [{"kind": kind, "text": text}] if kind in ("ok", "error") and text else []
        messages += [{"kind": "error", "text": text} for text in values.pop("errors", [])]
        label = f"{ROLE_LABELS.get(who.role, who.role)} {who.subject}" if who else ""
        html = self.templates.get_template(template).render(who=who, who_label=label, csrf=csrf, messages=messages,
                                                             **values)
        response = HTMLResponse(html)
        response.set_cookie(CSRF, csrf, httponly=True, samesite="strict", secure=self.secure)
        response.delete_cookie(FLASH)  # said once
        return response

    def back(self, where: str, notice: str = "", refused: str = "") -> RedirectResponse:
        """Back to a page after a form, saying there what happened (a refusal in red)."""
        response = RedirectResponse(where, status_code=303)
        if notice or refused:
            said = f"ok:{notice}" if notice else f"error:{refused}"
            response.set_cookie(FLASH, quote(said[:MAX_FLASH]), httponly=True, samesite="strict", secure=self.secure)
        return response

    async def acted(self, request: Request, failed: str, done: str,
                    action: Callable[[Principal, Any], Awaitable[None]]) -> Response:
        """A form that asks the ledger to do something: the signed-in user, the checked form, and back
        to the home page saying `done`, or `failed` with the refusal."""
        who = self.principal(request)
        if who is None:
            return self.back("/ui/signin")
        try:
            await action(who, await self.checked_form(request))
        except (PageError, NotAuthorised) as refused:
            return self.back("/ui/", refused=f"{failed}：{refused}")
        return self.back("/ui/", done)

    @staticmethod
    def xlsx(title: str, file_name: str, headers: list[str], rows: list[list[Any]],
             faults: dict[tuple[int, int], str] | None = None, required: Iterable[int] = ()) -> Response:
        """A table as an XLSX download, written by the same function as the CLI's reports."""
        with tempfile.TemporaryDirectory() as folder:
            content = write_table(Path(folder) / "table.xlsx", title[:31], headers, rows, faults, required).read_bytes()
        return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(file_name)}"})

    async def checked_form(self, request: Request) -> Any:
        form = await request.form(max_part_size=MAX_UPLOAD)
        expected = request.cookies.get(CSRF)
        if not expected or not secrets.compare_digest(str(form.get("csrf", "")), expected):
            raise NotAuthorised("the form is not one this site gave you (CSRF)")
        return form

    # ---- pages -------------------------------------------------------------------------

    async def signin(self, request: Request) -> Response:
        if request.method == "GET":
            return self.render(request, "signin.html", None)
        form = await request.form()
        token = str(form.get("token", "")).strip()
        try:
            who = principal_from_header(self.secret, f"Bearer {token}")
        except NotAuthorised as refused:
            return self.render(request, "signin.html", None, errors=[str(refused)])
        if who is None:
            return self.render(request, "signin.html", None, errors=["请填写令牌"])
        response = self.back("/ui/")
        response.set_cookie(TOKEN, token, httponly=True, samesite="strict", secure=self.secure)
        return response

    async def signout(self, request: Request) -> Response:
        response = self.back("/ui/signin")
        response.delete_cookie(TOKEN)
        return response

    async def home(self, request: Request) -> Response:
        who = self.principal(request)
        if who is None:
            return self.back("/ui/signin")
        errors: list[str] = []
        try:
            if who.role == "unit_agent":
                return await self.unit_hall(request, who)
            if who.role in ("office", "auditor", "analyst"):
                requests = await self.ask(who, REQUESTS)
                open_ = [e["node"] for e in requests["serviceRequests"]["edges"] if e["node"]["stage"] in OFFICE_STEPS]
                lists = await self.ask(who, WORKLISTS)
                return self.render(request, "office.html", who, region=who.region or "全部", requests=open_,
                                   steps=OFFICE_STEPS if who.role == "office" else {},
                                   **{name: [e["node"] for e in lists[name]["edges"]] for name in lists})
            return await self.person_page(request, who, who.id_number or "")
        except PageError as refused:
            errors.append(str(refused))
        return self.render(request, "signin.html", who, errors=errors)

    async def unit_hall(self, request: Request, who: Principal) -> Response:
        as_of = self.day(request)
        unit = (await self.ask(who, UNIT, {"code": who.unit_code, "asOf": as_of}))["unit"]
        requests = [e["node"] for e in (await self.ask(who, REQUESTS))["serviceRequests"]["edges"]]
        lines = [{"cells": line["cells"], "faults": {f["column"]: f["reason"] for f in line["faults"]}}
                 for line in (unit["rosterCheck"] if unit else [])]
        return self.render(request, "unit.html", who, unit=unit, unit_code=who.unit_code, as_of=date.fromisoformat(
            as_of), headers=unit["rosterHeaders"] if unit else [], lines=lines, requests=requests, filing_rule=(
            "财政全额拨款单位每月1–18日，其他单位每月1–24日（北京时间）"),
            materials=catalogue().item(RETIREMENT_ITEM).materials,
            correction_materials=catalogue().item(CORRECTION_ITEM).materials, correctable=CORRECTABLE)

    def day(self, request: Request) -> str:
        """The valid date asked for (?as_of=), or today's (Beijing) on the ledger's clock."""
        asked = request.query_params.get("as_of", "")
        try:
            return date.fromisoformat(asked).isoformat()
        except ValueError:
            return business_date(self.graphql.backend.clock.now()).isoformat()

    async def roster_xlsx(self, request: Request) -> Response:
        """The 员工花名册 as XLSX, the cells to check red — from the same API answer the page shows."""
        who = self.principal(request)
        if who is None or who.role != "unit_agent":
            return self.back("/ui/signin")
        try:
            unit = (await self.ask(who, UNIT, {"code": who.unit_code, "asOf": self.day(request)}))["unit"]
        except PageError as refused:
            return self.back("/ui/", refused=f"未能导出：{refused}")
        headers, lines = (unit["rosterHeaders"], unit["rosterCheck"]) if unit else ([], [])
        faults = {(n, headers.index(f["column"])): f["reason"] for n, line in enumerate(lines) for f in line["faults"]}
        return self.xlsx("员工花名册", f"员工花名册-{who.unit_code}-{self.day(request)}.xlsx", headers,
                         [line["cells"] for line in lines], faults, ROSTER_REQUIRED)

    async def report(self, request: Request) -> Response:
        """附件2–5 as XLSX, from the API's cleanupReport (an office gets its region's rows)."""
        who = self.principal(request)
        if who is None:
            return self.back("/ui/signin")
        before = request.query_params.get("before") or None
        try:
            table = (await self.ask(who, REPORT, {"annex": request.path_params["annex"], "asOf": self.day(request),
                                                  "before": f"{before}:00+08:00" if before else None}))[
                "cleanupReport"]
        except PageError as refused:
            return self.back("/ui/", refused=f"未能导出：{refused}")
        return self.xlsx(table["title"], f"{table['title']}-{self.day(request)}.xlsx", table["headers"], table["rows"])

    async def print(self, request: Request) -> Response:
        """A printed document as PDF: 参保证明 of a unit's staff member, a person's own 参保凭证 or 缴费记录."""
        who = self.principal(request)
        if who is None:
            return self.back("/ui/signin")
        try:
            form = await self.checked_form(request)
            if form.get("kind") == "unit_proof":  # the unit's whole staff on the roster's date
                printed = (await self.ask(who, UNIT_PROOF, {"code": who.unit_code or "", "asOf": self.day(request)}))[
                    "printUnitProof"]
            else:
                kind = PRINTABLE.get(str(form.get("kind", "")))
                if kind is None:
                    raise PageError("no such document")
                printed = (await self.ask(who, PRINT, {"kind": kind, "id": str(form.get("id_number", ""))}))[
                    "printDocument"]
        except (PageError, NotAuthorised) as refused:
            return self.back("/ui/", refused=f"未能打印：{refused}")
        return Response(base64.b64decode(printed["pdfBase64"]), media_type="application/pdf",
                        headers={"content-disposition": f"inline; filename=\"{printed['fileName']}\""})

    async def person(self, request: Request) -> Response:
        who = self.principal(request)
        if who is None:
            return self.back("/ui/signin")
        return await self.person_page(request, who, request.query_params.get("id", ""))

    async def person_page(self, request: Request, who: Principal, id_number: str) -> Response:
        """The history and its picture; the snapshot on (?as_of, ?known_at) — where a click on a bar leads."""
        known_at = request.query_params.get("known_at") or None
        variables = {"id": id_number.strip(), "asOf": self.day(request), "knownAt": known_at}
        try:
            found = (await self.ask(who, PERSON, variables))["person"]
        except PageError as refused:  # outside the caller's scope: said, never shown
            return self.render(request, "person.html", who, person=None, errors=[str(refused)])
        chart = found["historyChart"] if found else ""
        if found:  # each bar of the picture opens the snapshot at its valid start, as known at its row's time
            chart = re.sub(r'<g data-as-of="([0-9-]+)" data-known-at="([^"]+)">',
                           lambda m: f'<a href="/ui/person?id={quote(found["idNumber"])}&amp;as_of={m.group(1)}'
                                     f'&amp;known_at={quote(m.group(2))}"><g>', chart).replace("</g><!--bar-->",
                                                                                            "</g></a>")
        return self.render(request, "person.html", who, person=found, chart=chart, as_of=variables["asOf"],
                           known_at=known_at, can_print=who.role in ("office", "unit_agent", "person"))

    @staticmethod
    async def materials(form: Any, item_code: str) -> list[dict[str, Any]]:
        """The uploaded files, in the order of the item's materials: each named, hashed and sized."""
        uploads = [u for u in form.getlist("material") if isinstance(u, UploadFile)]
        materials = []
        for name, upload in zip(catalogue().item(item_code).materials, uploads, strict=False):
            content = await upload.read()
            materials.append({"name": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)})
        return materials

    async def correct(self, request: Request) -> Response:
        """A unit corrects a staff member's base information with its materials (item 002036001005:
        即时办结 — recorded at once, the request and its materials kept as the evidence)."""
        async def apply(who: Principal, form: Any) -> None:
            field = str(form.get("field", ""))
            if field not in CORRECTABLE:
                raise PageError(f"no such field: {field}")
            await self.do(who, "applyForService", {
                "requestId": str(uuid4()), "itemCode": CORRECTION_ITEM, "command": "CorrectBaseInfo",
                "idNumber": str(form.get("id_number", "")),
                "arguments": [{"field": "effective", "value": self.day(request)},
                              {"field": f"changes.{field}", "value": str(form.get("value", ""))}],
                "materials": await self.materials(form, CORRECTION_ITEM)})
        return await self.acted(request, "未能变更", "已变更", apply)

    async def file(self, request: Request) -> Response:
        """A unit agent files a retirement or a death with its materials: a request an office reviews."""
        async def apply(who: Principal, form: Any) -> None:
            await self.do(who, "applyForService", {
                "requestId": str(uuid4()), "itemCode": RETIREMENT_ITEM, "command": str(form.get("command", "")),
                "idNumber": str(form.get("id_number", "")),
                "arguments": [{"field": "effective", "value": str(form.get("effective", ""))}],
                "materials": await self.materials(form, RETIREMENT_ITEM)})
        return await self.acted(request, "未能提交", "已提交，等待医保经办机构审核", apply)

    async def staff(self, request: Request) -> Response:
        """A unit's own filings that take effect at once (seed 002): 增员, 减员 (中断), 联系电话变更."""
        async def file(who: Principal, form: Any) -> None:
            action, number = str(form.get("action", "")), str(form.get("id_number", "")).strip()
            effective = str(form.get("effective", "")) or self.day(request)
            if action == "add":
                await self.add_staff(who, form, number, effective)
            elif action == "leave":
                spells = (await self.ask(who, OPEN_SPELLS, {"id": number, "asOf": effective}))["person"]
                mine = [s for s in (spells or {}).get("snapshot", []) if s["unitCode"] == who.unit_code]
                if not mine:
                    raise PageError("本单位没有此人在该日的参保记录")
                await self.do(who, "suspend", {"idNumber": number, "effective": effective,
                                               "enrollmentId": mine[0]["enrollmentId"],
                                               "reason": str(form.get("reason", "6301"))})
            elif action == "phone":
                await self.do(who, "correctBaseInfo", {"idNumber": number, "effective": effective, "changes": [
                    {"field": "phone", "value": str(form.get("phone", ""))}]})
            else:
                raise PageError(f"no such filing: {action}")
        return await self.acted(request, "未能办理", "已办理", file)

    async def add_staff(self, who: Principal, form: Any, number: str, effective: str) -> None:
        """增员: register the person (unless the ledger knows them already), then enroll them with the unit."""
        try:
            await self.do(who, "registerPerson", {
                "idNumber": number, "effective": effective, "name": str(form.get("name", "")),
                "gender": str(form.get("gender", "")), "birthDate": str(form.get("birth_date", "")),
                "ethnicity": str(form.get("ethnicity", "01")), "phone": str(form.get("phone", "")) or None})
        except PageError as refused:
            if refused.rules != {"person.already_registered"}:  # one the ledger knows is enrolled as they are
                raise
        await self.do(who, "enroll", {
            "idNumber": number, "effective": effective, "insuranceType": "310",
            "region": str(form.get("region", "")), "unitCode": who.unit_code, "personType": "1101"})

    async def step(self, request: Request) -> Response:
        """An office accepts, approves, rejects (with a reason) or completes a request."""
        async def take(who: Principal, form: Any) -> None:
            step = request.path_params["step"]
            if step not in MUTATION_OF_STEP:
                raise PageError(f"no such step: {step}")
            fields: dict[str, Any] = {"requestId": request.path_params["request_id"]}
            if step == "reject":
                fields["reason"] = str(form.get("reason", ""))
            await self.do(who, MUTATION_OF_STEP[step], fields)
        return await self.acted(request, "未能办理", "已办理", take)
