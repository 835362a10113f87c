"""boto3 against `warden serve`: paginators over thousands of findings, batched GetFindings,
statistics, multi-account isolation and botocore's modelled exceptions.

Run by `boto3_pagination_and_isolation` in aws_cli.rs, which starts the server, creates the keys,
scans a generated corpus into the data directory and passes what it expects as one JSON argument:

    {"endpoint", "region", "a": {"id", "secret", "account"}, "b": {...},
     "types_a": {TYPE: COUNT}, "total_b": N}

Exits non-zero (an AssertionError with the reason) on the first mismatch; prints a JSON summary
(requests made, pages read) on success.
"""

import json
import sys
from datetime import datetime

import boto3
from botocore.config import Config

cfg = json.loads(sys.argv[1])
REQUESTS = {"n": 0}


def count_request(**_):
    REQUESTS["n"] += 1


def client(key):
    c = boto3.client(
        "guardduty",
        endpoint_url=cfg["endpoint"],
        region_name=cfg["region"],
        aws_access_key_id=key["id"],
        aws_secret_access_key=key["secret"],
        # One attempt: a retried request would hide a server error behind a later success.
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    c.meta.events.register("before-send.guardduty", count_request)
    return c


def paginate(c, **kwargs):
    """Every page of ListFindings with 50 per page: (ids in order, number of pages)."""
    ids, pages = [], 0
    for page in c.get_paginator("list_findings").paginate(
        PaginationConfig={"PageSize": 50}, **kwargs
    ):
        pages += 1
        assert len(page["FindingIds"]) <= 50, len(page["FindingIds"])
        ids.extend(page["FindingIds"])
    return ids, pages


def get_all(c, detector, ids):
    """GetFindings in batches of 50 (the API's maximum): id -> finding."""
    out = {}
    for i in range(0, len(ids), 50):
        batch = ids[i : i + 50]
        found = c.get_findings(DetectorId=detector, FindingIds=batch)["Findings"]
        assert sorted(f["Id"] for f in found) == sorted(batch), "GetFindings returns the batch"
        out.update((f["Id"], f) for f in found)
    return out


def expect_bad_request(c, fn, **kwargs):
    try:
        fn(**kwargs)
    except c.exceptions.BadRequestException as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response
        assert e.response["Error"]["Message"], e.response
        assert e.response["ResponseMetadata"]["RequestId"], e.response
        return e.response["Error"]["Message"]
    raise AssertionError(f"{fn.__name__}({kwargs}) did not raise BadRequestException")


a, b = client(cfg["a"]), client(cfg["b"])
types_a = cfg["types_a"]
total_a = sum(types_a.values())
assert total_a >= 3000, total_a

created = a.create_detector(Enable=True)
det_a = created["DetectorId"]
# Tools log the request id botocore reads from `x-amzn-RequestId`.
assert len(created["ResponseMetadata"]["RequestId"]) == 36, created["ResponseMetadata"]
assert a.list_detectors()["DetectorIds"] == [det_a]

# 1. Every finding exactly once across pages of 50.
ids, pages = paginate(a, DetectorId=det_a)
assert len(set(ids)) == len(ids), "no duplicates across pages"
assert len(ids) == total_a, (len(ids), total_a)
assert pages == -(-total_a // 50), pages
all_pages = pages

# 2. Criteria and sort across pages: the order holds over the whole sequence, not per page.
big_type = max(types_a, key=types_a.get)
sorted_ids, pages = paginate(
    a,
    DetectorId=det_a,
    FindingCriteria={"Criterion": {"type": {"Eq": [big_type]}, "severity": {"Gte": 1}}},
    SortCriteria={"AttributeName": "service.eventLastSeen", "OrderBy": "DESC"},
)
assert len(sorted_ids) == types_a[big_type] == len(set(sorted_ids)), len(sorted_ids)
all_pages += pages
findings = get_all(a, det_a, sorted_ids)
seen = [findings[i]["Service"]["EventLastSeen"] for i in sorted_ids]
assert all(x >= y for x, y in zip(seen, seen[1:])), "sorted newest first across pages"
assert len(set(seen)) == len(seen), "the corpus gives every finding its own time"
assert {f["Type"] for f in findings.values()} == {big_type}
assert all(f["AccountId"] == cfg["a"]["account"] for f in findings.values())

# The same set ascending is the exact reverse.
asc, pages = paginate(
    a,
    DetectorId=det_a,
    FindingCriteria={"Criterion": {"type": {"Eq": [big_type]}}},
    SortCriteria={"AttributeName": "service.eventLastSeen", "OrderBy": "ASC"},
)
all_pages += pages
assert asc == list(reversed(sorted_ids))

# A SIEM connector's poll (updatedAt and severity bounds, sorted by updatedAt, the token passed
# back by hand): the scan gave thousands of findings the same updatedAt, so only a stable order
# keeps pages from repeating or skipping findings.
since = min(f["UpdatedAt"] for f in findings.values())
since_ms = int(datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp() * 1000) - 60_000
polled, token = [], None
while True:
    kwargs = {"NextToken": token} if token else {}
    page = a.list_findings(
        DetectorId=det_a,
        FindingCriteria={"Criterion": {"updatedAt": {"Gte": since_ms}, "severity": {"Gte": 1}}},
        SortCriteria={"AttributeName": "updatedAt", "OrderBy": "ASC"},
        MaxResults=50,
        **kwargs,
    )
    polled.extend(page["FindingIds"])
    all_pages += 1
    token = page.get("NextToken")
    if not token:
        break
assert len(polled) == len(set(polled)) == total_a, (len(polled), len(set(polled)))
assert set(polled) == set(ids)

# 3. Statistics agree with the lists.
by_sev = a.get_findings_statistics(
    DetectorId=det_a, FindingStatisticTypes=["COUNT_BY_SEVERITY"]
)["FindingStatistics"]["CountBySeverity"]
assert sum(by_sev.values()) == total_a, by_sev
by_type = a.get_findings_statistics(DetectorId=det_a, GroupBy="FINDING_TYPE", MaxResults=100)[
    "FindingStatistics"
]["GroupedByFindingType"]
assert {g["FindingType"]: g["TotalFindings"] for g in by_type} == types_a, by_type

# 4. Multi-account isolation.
det_b = b.create_detector(Enable=True)["DetectorId"]
assert det_b != det_a
b_ids, _ = paginate(b, DetectorId=det_b)
assert len(b_ids) == cfg["total_b"], (len(b_ids), cfg["total_b"])
assert not set(b_ids) & set(ids), "account B's view holds none of A's findings"
assert b.get_findings(DetectorId=det_b, FindingIds=ids[:50])["Findings"] == []
msg = expect_bad_request(b, b.list_findings, DetectorId=det_a)
assert "not owned" in msg, msg
expect_bad_request(b, b.get_findings, DetectorId=det_a, FindingIds=ids[:1])
expect_bad_request(b, b.archive_findings, DetectorId=det_a, FindingIds=ids[:1])
# Filters: paginated one per page, and another account can neither read nor change them.
for rank, name in enumerate(["quiet-kali", "quiet-logins", "watch-high"], start=1):
    a.create_filter(
        DetectorId=det_a,
        Name=name,
        Action="NOOP",
        Rank=rank,
        FindingCriteria={"Criterion": {"severity": {"Gte": rank}}},
    )
names, filter_pages = [], 0
for page in a.get_paginator("list_filters").paginate(
    DetectorId=det_a, PaginationConfig={"PageSize": 1}
):
    filter_pages += 1
    names.extend(page["FilterNames"])
assert sorted(names) == ["quiet-kali", "quiet-logins", "watch-high"], names
assert filter_pages == 3, filter_pages
all_pages += filter_pages
expect_bad_request(b, b.get_filter, DetectorId=det_a, FilterName="quiet-kali")
expect_bad_request(b, b.list_filters, DetectorId=det_a)
expect_bad_request(b, b.delete_filter, DetectorId=det_a, FilterName="quiet-kali")
expect_bad_request(b, b.update_detector, DetectorId=det_a, Enable=False)
assert a.get_detector(DetectorId=det_a)["Status"] == "ENABLED"
assert b.list_filters(DetectorId=det_b)["FilterNames"] == []
try:
    b.list_tags_for_resource(
        ResourceArn=f"arn:aws:guardduty:{cfg['region']}:{cfg['a']['account']}:detector/{det_a}"
    )
    raise AssertionError("account B read the tags of account A's detector")
except (b.exceptions.BadRequestException, b.exceptions.AccessDeniedException) as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403), e.response
except b.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "ResourceNotFoundException", e.response
assert (
    a.list_findings(
        DetectorId=det_a,
        FindingCriteria={"Criterion": {"accountId": {"Eq": [cfg["b"]["account"]]}}},
    )["FindingIds"]
    == []
)

# 5. Modelled exceptions for bad input.
msg = expect_bad_request(a, a.list_findings, DetectorId=det_a, MaxResults=51)
assert "between 1 and 50" in msg, msg
expect_bad_request(
    a,
    a.list_findings,
    DetectorId=det_a,
    SortCriteria={"AttributeName": "severity", "OrderBy": "UP"},
)
expect_bad_request(a, a.list_findings, DetectorId=det_a, NextToken="not-a-token")
expect_bad_request(a, a.get_detector, DetectorId="0123456789abcdef0123456789abcdef")
expect_bad_request(a, a.create_detector, Enable=True)  # one detector per account and region

print(json.dumps({"requests": REQUESTS["n"], "pages": all_pages, "findings_a": total_a}))
