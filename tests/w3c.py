"""The W3C Web Annotation test suite's JSON Schemas, as a validator the tests can call.

The suite (https://github.com/w3c/web-annotation-tests) is third-party text, so it is not copied
into this repository: it lives in `shared/` beside the clone, where CI always puts it, or wherever
`NEWSROOM_W3C_SUITE` points (a clone elsewhere). A `.test`
file lists rule files; each rule is a draft-04 JSON Schema with an `assertionType` and an
`expectedResult`, and a document conforms to the rule when validating it gives that result.
Rules `$ref` the schemas in `definitions/` by file name. URI and date-time formats are checked
only with a format checker and its packages (rfc3986-validator, rfc3339-validator), so both are
required: without them a bad `id` or `created` would pass unnoticed.
"""

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SUITE = Path(
    os.environ.get("NEWSROOM_W3C_SUITE")
    or Path(__file__).resolve().parents[2] / "shared" / "w3c-web-annotation-tests"
)
MISSING = (
    f"The W3C Web Annotation test suite is missing: expected it at {SUITE} (shared/ beside "
    "the repository's clone, as CI lays it out, or where NEWSROOM_W3C_SUITE points). These "
    "tests cannot run without it."
)

ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"

FORMAT_CHECKER = Draft4Validator.FORMAT_CHECKER


def require_suite() -> Path:
    if not SUITE.is_dir():
        pytest.fail(MISSING, pytrace=False)
    return SUITE


@cache
def definitions() -> Registry:
    """The shared definitions, each under the file name the rules' `$ref`s use."""
    resources = []
    for path in sorted((require_suite() / "definitions").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT4)
        resources.append((path.name, resource))
    return Registry().with_resources(resources)


@dataclass(frozen=True)
class Rule:
    """One assertion of the suite: a schema and the result a conforming document gives."""

    name: str
    schema: dict

    @property
    def expects_valid(self) -> bool:
        return self.schema["expectedResult"] == "valid"

    def validator(self) -> Draft4Validator:
        return Draft4Validator(self.schema, registry=definitions(), format_checker=FORMAT_CHECKER)

    def conforms(self, document) -> bool:
        return self.validator().is_valid(document) == self.expects_valid

    def explain(self, document) -> str:
        """Why `document` does not conform, for an assertion message."""
        title = self.schema.get("errorMessage") or self.schema.get("title", "")
        if not self.expects_valid:
            return f"{self.name}: expected the document to be invalid. {title}"
        errors = sorted(self.validator().iter_errors(document), key=lambda e: e.path)
        details = "; ".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:5])
        return f"{self.name}: {title} [{details}]"


@cache
def rules(test_list: str) -> tuple[Rule, ...]:
    """The rules a `.test` file lists, in its order; only "must" rules are in the musts lists."""
    suite = require_suite()
    listing = json.loads((suite / test_list).read_text(encoding="utf-8"))
    found = []
    for assertion in listing["assertions"]:
        schema = json.loads((suite / assertion).read_text(encoding="utf-8"))
        found.append(Rule(name=Path(assertion).name, schema=schema))
    return tuple(found)


def rule_names(test_list: str) -> list[str]:
    """Rule names for parametrising at collection time.

    Without the suite this is one placeholder, whose test then fails with `MISSING`: every
    other test still runs, and the run still fails.
    """
    if not SUITE.is_dir():
        return ["w3c-suite-missing"]
    return [rule.name for rule in rules(test_list)]


def rule(test_list: str, name: str) -> Rule:
    for candidate in rules(test_list):
        if candidate.name == name:
            return candidate
    raise LookupError(f"{name} is not listed in {test_list}")


def failed_rules(document, test_list: str) -> set[str]:
    """The names of the rules of `test_list` that `document` does not conform to."""
    return {r.name for r in rules(test_list) if not r.conforms(document)}


def sample_names(kind: str) -> list[str]:
    """The suite's sample documents under tools/samples/<kind>/ ("correct" or "incorrect")."""
    if not SUITE.is_dir():
        return ["w3c-suite-missing"]
    return sorted(p.name for p in (SUITE / "tools" / "samples" / kind).glob("*.json"))


def sample_text(kind: str, name: str) -> str:
    return (require_suite() / "tools" / "samples" / kind / name).read_text(encoding="utf-8")
