"""The schema.org definitions the site's JSON-LD uses, and a checker against them.

Facts copied from schema.org (version 29, https://schema.org/<Name>): for each type, the
properties we write, each with the types its values may have ("expected types"), and the
type's parents where a property is inherited. Nothing here is ours: if schema.org does not
list a property on a type (or an ancestor), the checker refuses it.

A value may be written as a URL where schema.org expects a Thing (its `@id`), as schema.org
allows for any Thing-valued property.
"""

from datetime import datetime

# type: (parent, {property: expected types})
TYPES = {
    "Thing": (
        None,
        {
            "name": {"Text"},
            "url": {"URL"},
            "description": {"Text"},
            "sameAs": {"URL"},
            "image": {"ImageObject", "URL"},
        },
    ),
    "CreativeWork": (
        "Thing",
        {
            "headline": {"Text"},
            "author": {"Organization", "Person"},
            "publisher": {"Organization", "Person"},
            "datePublished": {"Date", "DateTime"},
            "dateModified": {"Date", "DateTime"},
            "keywords": {"DefinedTerm", "Text", "URL"},
            "isAccessibleForFree": {"Boolean"},
            "correction": {"CorrectionComment", "Text", "URL"},
            "publishingPrinciples": {"CreativeWork", "URL"},
            "mainEntityOfPage": {"CreativeWork", "URL"},
            "text": {"Text"},
        },
    ),
    "Article": ("CreativeWork", {"articleSection": {"Text"}}),
    "NewsArticle": ("Article", {}),
    "WebPage": ("CreativeWork", {}),
    "Comment": ("CreativeWork", {}),
    "CorrectionComment": ("Comment", {}),
    "Review": ("CreativeWork", {"itemReviewed": {"Thing"}, "reviewRating": {"Rating"}}),
    "ClaimReview": ("Review", {"claimReviewed": {"Text"}}),
    "Claim": ("CreativeWork", {"appearance": {"CreativeWork"}}),
    "Intangible": ("Thing", {}),
    "Rating": (
        "Intangible",
        {
            "ratingValue": {"Number", "Text"},
            "bestRating": {"Number", "Text"},
            "worstRating": {"Number", "Text"},
            "alternateName": {"Text"},
        },
    ),
    "Organization": (
        "Thing",
        {
            "publishingPrinciples": {"CreativeWork", "URL"},
            "correctionsPolicy": {"CreativeWork", "URL"},
        },
    ),
    "NewsMediaOrganization": ("Organization", {}),
    "Person": ("Thing", {"publishingPrinciples": {"CreativeWork", "URL"}}),
}
# alternateName is a property of Thing on schema.org; listed on Rating above for readability.
TYPES["Thing"][1]["alternateName"] = {"Text"}


def ancestors(type_name: str) -> list[str]:
    chain = []
    while type_name is not None:
        chain.append(type_name)
        type_name = TYPES[type_name][0]
    return chain


def properties_of(type_name: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name in reversed(ancestors(type_name)):
        found.update(TYPES[name][1])
    return found


def _is_a(type_name: str, expected: set[str]) -> bool:
    return any(name in expected for name in ancestors(type_name))


def _value_errors(value, expected: set[str], where: str) -> list[str]:
    if isinstance(value, list):
        return [
            e
            for i, item in enumerate(value)
            for e in _value_errors(item, expected, f"{where}[{i}]")
        ]
    if isinstance(value, dict):
        type_name = value.get("@type")
        if type_name not in TYPES:
            return [f"{where}: unknown type {type_name!r}"]
        if not _is_a(type_name, expected):
            return [f"{where}: {type_name} is not one of {sorted(expected)}"]
        return problems(value, where)
    if isinstance(value, bool):
        return [] if "Boolean" in expected else [f"{where}: a boolean where {sorted(expected)}"]
    if isinstance(value, int | float):
        return [] if "Number" in expected else [f"{where}: a number where {sorted(expected)}"]
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            # A URL is a URL value, or a reference to any Thing.
            return (
                []
                if expected & {"URL", "Text"}
                or expected - {"Text", "Date", "DateTime", "Number", "Boolean"}
                else [f"{where}: a URL where {sorted(expected)}"]
            )
        if expected & {"Date", "DateTime"} and not expected & {"Text"}:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                return [f"{where}: {value!r} is not an ISO 8601 date"]
            return []
        return [] if "Text" in expected else [f"{where}: text where {sorted(expected)}"]
    return [f"{where}: unexpected value {value!r}"]


def problems(document: dict, where: str = "$") -> list[str]:
    """Everything in `document` schema.org does not define as we use it ([] when valid)."""
    type_name = document.get("@type")
    if type_name not in TYPES:
        return [f"{where}: unknown type {type_name!r}"]
    allowed = properties_of(type_name)
    errors = []
    for name, value in document.items():
        if name in ("@context", "@type", "@id"):
            continue
        if name not in allowed:
            errors.append(f"{where}: {type_name} has no property {name!r}")
            continue
        errors += _value_errors(value, allowed[name], f"{where}.{name}")
    return errors
