import httpx


def test_healthz_reports_the_database_answering(server):
    response = httpx.get(f"{server}/healthz")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["status"], answer["database"], answer["clock"]["kind"]) == ("ok", "ok", "system")


def test_graphql_answers_typename_over_http(server):
    response = httpx.post(f"{server}/graphql", json={"query": "{ __typename }"})
    assert response.json()["data"] == {"__typename": "Query"}


def test_graphiql_loads_in_a_browser(server):
    response = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()
