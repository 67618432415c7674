"""Checks that Vigo and PostGraphile answer the bench's page (A) and person (B) with the same
persons and records: national ids in order, and per person the contact, enrolments and results.
Usage: same.py VIGO_URL TOKEN POSTGRAPHILE_URL QUERY_DIR NATIONAL_ID"""
import json
import sys
import urllib.request


def post(url, token, query, variables):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables}).encode()
    with urllib.request.urlopen(urllib.request.Request(url, body, headers)) as response:
        answer = json.load(response)
    if answer.get("errors"):
        sys.exit(f"{url}: {answer['errors'][0]}")
    return answer["data"]


def from_vigo(p):
    return {
        "nationalId": p["nationalId"], "givenName": p["givenName"], "familyName": p["familyName"],
        "birthDate": p["birthDate"], "contact": p["contact"],
        "enrolments": sorted([e["school"]["orgNo"], e["programmeArea"]["code"], e["schoolYear"], e["status"].lower()]
                             for e in p["enrolments"]),
        "results": sorted([r["subjectCode"], r["grade"], r["kind"].lower(), r["schoolYear"]] for r in p["results"]),
    }


def from_postgraphile(p):
    return {
        "nationalId": p["nationalId"], "givenName": p["givenName"], "familyName": p["familyName"],
        "birthDate": p["birthDate"], "contact": p["contactByPersonId"],
        "enrolments": sorted([e["organisationBySchoolId"]["orgNo"], e["programmeAreaByProgrammeAreaId"]["code"],
                              e["schoolYear"], e["status"].lower()] for e in p["enrolmentsByPersonId"]["nodes"]),
        "results": sorted([r["subjectCode"], r["grade"], r["kind"].lower(), r["schoolYear"]]
                          for r in p["subjectResultsByPersonId"]["nodes"]),
    }


def main():
    vigo, token, postgraphile, folder, national_id = sys.argv[1:6]
    read = lambda name: open(f"{folder}/{name}").read()
    page = post(vigo, token, read("page.vigo.graphql"), {})["persons"]
    their_page = post(postgraphile, "", read("page.postgraphile.graphql"), {})["allPeople"]
    if page["totalCount"] != their_page["totalCount"]:
        sys.exit(f"totalCount differs: {page['totalCount']} against {their_page['totalCount']}")
    ours = [from_vigo(e["node"]) for e in page["edges"]]
    theirs = [from_postgraphile(p) for p in their_page["nodes"]]
    if ours != theirs:
        for a, b in zip(ours, theirs):
            if a != b:
                sys.exit(f"A differs:\nvigo         {a}\npostgraphile {b}")
        sys.exit(f"A differs: {len(ours)} persons against {len(theirs)}")
    one = from_vigo(post(vigo, token, read("person.vigo.graphql"), {"n": national_id})["person"])
    other = from_postgraphile(post(postgraphile, "", read("person.postgraphile.graphql"), {"n": national_id})["personByNationalId"])
    if one != other:
        sys.exit(f"B differs:\nvigo         {one}\npostgraphile {other}")
    records = sum(len(p["enrolments"]) + len(p["results"]) for p in ours)
    print(f"same answers: A {len(ours)} persons with {records} records, B {national_id}")


main()
