"""A readable reference of the API, made from its OpenAPI document (no JavaScript, nothing
loaded from elsewhere: the page renders on the server like every other page)."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from vocportal.markdown import render_markdown

_METHOD_ORDER = ("get", "post", "put", "patch", "delete")


@dataclass
class Param:
    name: str
    where: str
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anonymous: bool
    params: list[Param] = field(default_factory=list)
    body: str | None = None
    responses: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return (
            f"{self.method}-{self.path}".lower()
            .replace("/", "-")
            .strip("-")
            .replace("{", "")
            .replace("}", "")
        )


@dataclass
class Property:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class SchemaDoc:
    name: str
    properties: list[Property]


def markdown(text: str) -> Markup:
    """Descriptions in the document are Markdown: render them (sanitised, as user text is)."""
    return Markup(render_markdown(text or ""))


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe_type(schema: dict, spec: dict) -> str:
    """A short human reading of a JSON schema: "integer", "array of Idea", "Board or null"."""
    if not schema:
        return "any"
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        if name in spec.get("components", {}).get("responses", {}):
            response = spec["components"]["responses"][name]
            content = response.get("content", {}).get("application/json", {})
            return describe_type(content.get("schema", {}), spec)
        return name
    if "allOf" in schema and len(schema["allOf"]) == 1:
        kind = describe_type(schema["allOf"][0], spec)
    elif schema.get("type") == "array":
        kind = f"array of {describe_type(schema.get('items', {}), spec)}"
    elif "enum" in schema:
        kind = " | ".join(str(v) for v in schema["enum"] if v is not None)
    else:
        kind = schema.get("type", "object")
        if schema.get("format"):
            kind += f" ({schema['format']})"
        extra = []
        if "minLength" in schema or "maxLength" in schema:
            extra.append(f"{schema.get('minLength', 0)}-{schema.get('maxLength', '')} chars")
        if "minimum" in schema or "maximum" in schema:
            extra.append(f"{schema.get('minimum', '')}-{schema.get('maximum', '')}")
        if "minItems" in schema or "maxItems" in schema:
            extra.append(f"{schema.get('minItems', 0)}-{schema.get('maxItems', '')} items")
        if extra:
            kind += f" [{', '.join(extra)}]"
    if schema.get("nullable"):
        kind += " or null"
    return kind


def _resolve_response(response: dict, spec: dict) -> dict:
    if "$ref" in response:
        return spec.get("components", {}).get("responses", {}).get(_ref_name(response["$ref"]), {})
    return response


def operations_by_tag(spec: dict) -> list[tuple[str, list[Operation]]]:
    """The document's operations grouped by tag, in the order the tags first appear."""
    groups: dict[str, list[Operation]] = {}
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in _METHOD_ORDER:
            op = item.get(method)
            if op is None:
                continue
            operation = Operation(
                method=method.upper(),
                path=path,
                summary=op.get("summary", ""),
                description=markdown(op.get("description", "")),
                anonymous={} in op.get("security", []),
            )
            for param in [*shared, *op.get("parameters", [])]:
                operation.params.append(
                    Param(
                        name=param["name"],
                        where=param["in"],
                        type=describe_type(param.get("schema", {}), spec),
                        required=bool(param.get("required")),
                        description=param.get("description", ""),
                    )
                )
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                operation.body = describe_type(body.get("schema", {}), spec)
            for code, response in sorted(op.get("responses", {}).items()):
                resolved = _resolve_response(response, spec)
                content = resolved.get("content", {}).get("application/json", {})
                kind = describe_type(content["schema"], spec) if "schema" in content else None
                operation.responses.append((code, resolved.get("description", ""), kind))
            for tag in op.get("tags", ["Other"]):
                groups.setdefault(tag, []).append(operation)
    return list(groups.items())


def schema_docs(spec: dict) -> list[SchemaDoc]:
    docs = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        docs.append(
            SchemaDoc(
                name=name,
                properties=[
                    Property(
                        name=prop,
                        type=describe_type(value, spec),
                        required=prop in required,
                        description=value.get("description", ""),
                    )
                    for prop, value in schema.get("properties", {}).items()
                ],
            )
        )
    return docs
