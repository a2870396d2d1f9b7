"""The unit service hall, the office console and a person's own page, in a browser (seeds 002
and 004): server-rendered pages, Chinese first, with no JavaScript and nothing fetched from
elsewhere. Every page reads and writes through the same GraphQL schema outside portals use,
executed in-process with the signed-in principal — there is no second path to the data.

The token a user signs in with is kept in an HttpOnly, SameSite=Strict cookie; every form
carries a CSRF token that must equal the one in its own cookie (double submit).
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any
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

TOKEN, CSRF = "canbao_token", "canbao_csrf"
MAX_UPLOAD = 20 * 1024 * 1024  # one scanned form
RETIREMENT_ITEM = "002036001002"
ROLE_LABELS = {"office": "经办机构", "unit_agent": "单位经办人", "person": "参保人", "auditor": "审计",
               "analyst": "分析"}
OFFICE_STEPS = {"applied": [("accept", "受理")], "accepted": [("approve", "审核通过"), ("reject", "审核不通过"),
                                                             ("complete", "办结")], "approved": [("complete", "办结")]}
MUTATION_OF_STEP = {"accept": "acceptRequest", "approve": "approveRequest", "reject": "rejectRequest",
                    "complete": "completeRequest"}
REQUESTS = """query($stage: String) { serviceRequests(stage: $stage, first: 200) { edges { node {
  requestId itemName command idNumber region stage stageLabel due dueProvisional overdue rejection } } } }"""
UNIT = """query($code: String!, $asOf: Date) { unit(code: $code) { name
  roster(asOf: $asOf) { idNumber name personType { label } status { label } } } }"""
PERSON = """query($id: String!) { person(idNumber: $id) { name idNumber historyChart
  history { recordedAt validDate type actor { kind id } channel { label } evidence cause } } }"""


class PageError(Exception):
    """What the API refused, in its own words, for the page to show."""


class Pages:
    def __init__(self, graphql: Any, token_secret: str, secure_cookies: bool = False) -> None:
        self.graphql, self.secret, self.secure = graphql, token_secret, secure_cookies
        self.templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                                     autoescape=select_autoescape(["html"]))

    def routes(self) -> list[Route]:
        return [Route("/ui", self.home), Route("/ui/", self.home),
                Route("/ui/signin", self.signin, methods=["GET", "POST"]),
                Route("/ui/signout", self.signout, methods=["POST"]), Route("/ui/person", self.person),
                Route("/ui/file", self.file, methods=["POST"]),
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
                    "{ ok errors { label message } } }")
        data = await self.ask(who, document, {"input": {"commandId": str(uuid4()), **fields}})
        answer = data[mutation]
        if not answer["ok"]:
            raise PageError("；".join(f"{e['label']}：{e['message']}" for e in answer["errors"]))

    def render(self, request: Request, template: str, who: Principal | None, **values: Any) -> HTMLResponse:
        csrf = request.cookies.get(CSRF) or secrets.token_urlsafe(24)
        notice = request.query_params.get("notice")
        messages = [{"kind": "ok", "text": notice}] if notice else []
        messages += [{"kind": "error", "text": text} for text in values.pop("errors", [])]
        label = f"{ROLE_LABELS.get(who.role, who.role)} {who.subject}" if who else ""
        html = self.templates.get_template(template).render(who=who, who_label=label, csrf=csrf, messages=messages,
                                                             **values)
        response = HTMLResponse(html)
        response.set_cookie(CSRF, csrf, httponly=True, samesite="strict", secure=self.secure)
        return response

    @staticmethod
    def back(where: str, notice: str = "") -> RedirectResponse:
        return RedirectResponse(f"{where}?notice={notice}" if notice else where, status_code=303)

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
                return self.render(request, "office.html", who, region=who.region or "全部", requests=open_,
                                   steps=OFFICE_STEPS if who.role == "office" else {})
            return await self.person_page(request, who, who.id_number or "")
        except PageError as refused:
            errors.append(str(refused))
        return self.render(request, "signin.html", who, errors=errors)

    async def unit_hall(self, request: Request, who: Principal) -> Response:
        from datetime import date

        as_of = request.query_params.get("as_of") or str(business_date(self.graphql.backend.clock.now()))
        unit = (await self.ask(who, UNIT, {"code": who.unit_code, "asOf": as_of}))["unit"]
        requests = [e["node"] for e in (await self.ask(who, REQUESTS))["serviceRequests"]["edges"]]
        return self.render(request, "unit.html", who, unit=unit, unit_code=who.unit_code, as_of=date.fromisoformat(
            as_of), roster=unit["roster"] if unit else [], requests=requests, filing_rule=(
            "财政全额拨款单位每月1–18日，其他单位每月1–24日（北京时间）"),
            materials=catalogue().item(RETIREMENT_ITEM).materials)

    async def person(self, request: Request) -> Response:
        who = self.principal(request)
        if who is None:
            return self.back("/ui/signin")
        return await self.person_page(request, who, request.query_params.get("id", ""))

    async def person_page(self, request: Request, who: Principal, id_number: str) -> Response:
        try:
            found = (await self.ask(who, PERSON, {"id": id_number.strip()}))["person"]
        except PageError as refused:  # outside the caller's scope: said, never shown
            return self.render(request, "person.html", who, person=None, errors=[str(refused)])
        return self.render(request, "person.html", who, person=found)

    async def file(self, request: Request) -> Response:
        """A unit agent files a retirement or a death with its materials: a request an office reviews."""
        who = self.principal(request)
        if who is None:
            return self.back("/ui/signin")
        try:
            form = await self.checked_form(request)
            uploads = [u for u in form.getlist("material") if isinstance(u, UploadFile)]
            names = catalogue().item(RETIREMENT_ITEM).materials
            materials = []
            for name, upload in zip(names, uploads, strict=False):
                content = await upload.read()
                materials.append({"name": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)})
            await self.do(who, "applyForService", {
                "requestId": str(uuid4()), "itemCode": RETIREMENT_ITEM, "command": str(form.get("command", "")),
                "idNumber": str(form.get("id_number", "")),
                "arguments": [{"field": "effective", "value": str(form.get("effective", ""))}],
                "materials": materials})
        except (PageError, NotAuthorised) as refused:
            return self.back("/ui/", f"未能提交：{refused}")
        return self.back("/ui/", "已提交，等待医保经办机构审核")

    async def step(self, request: Request) -> Response:
        """An office accepts, approves, rejects (with a reason) or completes a request."""
        who = self.principal(request)
        if who is None:
            return self.back("/ui/signin")
        step = request.path_params["step"]
        try:
            form = await self.checked_form(request)
            if step not in MUTATION_OF_STEP:
                raise PageError(f"no such step: {step}")
            fields: dict[str, Any] = {"requestId": request.path_params["request_id"]}
            if step == "reject":
                fields["reason"] = str(form.get("reason", ""))
            await self.do(who, MUTATION_OF_STEP[step], fields)
        except (PageError, NotAuthorised) as refused:
            return self.back("/ui/", f"未能办理：{refused}")
        return self.back("/ui/", "已办理")
