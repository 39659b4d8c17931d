"""pydantic validation errors -> ConfigErrors in our words, each with its file, line and key.

Shared by the main config and the watchlist files. Every error of a file is reported, not only the
first: an unknown key gets "did you mean" from the keys allowed where it stands, and a value of the
wrong type is described as a person would say it ("tags must be a list of strings, like
tags = ["en"]") instead of pydantic's "Input should be a valid tuple".
"""

from __future__ import annotations

import difflib
import json
import re
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from monitor.configfile import dotted, locate_key
from monitor.errors import ConfigError

_TYPE_ERRORS = frozenset({
    "string_type", "int_type", "int_parsing", "int_from_float", "float_type", "float_parsing", "bool_type",
    "bool_parsing", "list_type", "tuple_type", "set_type", "frozen_set_type", "dict_type", "model_type",
    "model_attributes_type", "path_type", "literal_error",
})
_SHOULD = re.compile(r"^(?:Input|String|List|Value|Dictionary|Tuple|Set|Data) should (?:be |have )?")


def schema_problems(exc: ValidationError, model: type[BaseModel], file: str, text: str) -> list[ConfigError]:
    """Every error of `exc` (from validating `model`) as a ConfigError; a typo's "missing" twin is dropped."""
    problems, suggested = [], set()
    for error in exc.errors():
        where = _Where(model, tuple(error["loc"]))
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(where.loc[-1]), where.sibling_keys(), n=1)
            if close:
                suggested.add((*where.loc[:-1], close[0]))
        problems.append((where, error))
    out = []
    for where, error in problems:
        if error["type"] == "missing" and where.loc in suggested:
            continue  # "unknown key 'urll'; did you mean 'url'?" says it already
        out.append(_problem(where, error, file, text))
    return out


class _Where:
    """A location in the input, with the model field it falls on (union tags taken out of `loc`)."""

    def __init__(self, model: type[BaseModel], raw_loc: tuple[Any, ...]) -> None:
        loc: list[Any] = []
        annotation: Any = model
        self.field: FieldInfo | None = None
        self.name: str | None = None  # the last model field on the way
        self.parent: Any = model
        for part in raw_loc:
            annotation = _plain(annotation)
            member = _union_member(annotation, part)
            if member is not None:  # pydantic puts the discriminator's value into the location
                annotation = member
                continue
            loc.append(part)
            self.parent = annotation
            annotation, field = _step(annotation, part)
            if field is not None:
                self.field, self.name = field, str(part)
        self.loc = tuple(loc)
        self.annotation = annotation

    def sibling_keys(self) -> list[str]:
        """The keys allowed next to the last part of `loc`."""
        parent = _plain(self.parent)
        return list(parent.model_fields) if _is_model(parent) else []


def _problem(where: _Where, error: Any, file: str, text: str) -> ConfigError:
    kind, loc = error["type"], where.loc
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), where.sibling_keys(), n=1)
        message = "unknown key (a typo?)" + (f"; did you mean {close[0]!r}?" if close else "")
    elif kind == "missing":
        message = "required key is missing"
        return ConfigError(message, file=file, key=dotted(loc), line=locate_key(text, loc[:-1]) if loc[:-1]
                           else None)
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        message = _tag_message(error)
    elif kind in _TYPE_ERRORS and where.name and (described := _describe_field(where)):
        message = described + _did_you_mean(error)
    else:
        message = _rephrase(error["msg"], where.name)
    return ConfigError(message, file=file, key=dotted(loc), line=locate_key(text, loc))


def _tag_message(error: Any) -> str:
    ctx = error.get("ctx") or {}
    key = str(ctx.get("discriminator", "type")).strip("'")
    expected = str(ctx.get("expected_tags", ""))
    if error["type"] == "union_tag_not_found":
        return f"needs a {key}" + (f": one of {expected}" if expected else "")
    tags = re.findall(r"'([^']*)'", expected)
    close = difflib.get_close_matches(str(ctx.get("tag", "")), tags, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{key} must be one of {expected}, not {ctx.get('tag')!r}{hint}"


def _did_you_mean(error: Any) -> str:
    """For a value outside a Literal: the allowed value it is closest to."""
    if error["type"] != "literal_error" or not isinstance(error.get("input"), str):
        return ""
    allowed = re.findall(r"'([^']*)'", str((error.get("ctx") or {}).get("expected", "")))
    close = difflib.get_close_matches(error["input"], allowed, n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""


def _rephrase(message: str, name: str | None) -> str:
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return _SHOULD.sub(f"{name} must be ", message, count=1) if name else message


def _describe_field(where: _Where) -> str | None:
    """"tags must be a list of strings, like tags = ["en"]" for the field the error falls on."""
    assert where.field is not None and where.name is not None
    words = _words(where.field.annotation)
    if words is None:
        return None
    example = _example(where.field)
    like = f", like {where.name} = {example}" if example else ""
    return f"{where.name} must be {words}{like}"


def _words(annotation: Any, plural: bool = False) -> str | None:
    annotation = _plain(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(a) for a in args)
    if origin in (list, tuple, set, frozenset) and args:
        inner = _words(args[0], plural=True)
        return f"a list of {inner}" if inner else "a list"
    if origin is dict or _is_model(annotation) or _union_models(annotation):
        return "tables" if plural else "a table"
    names = {str: ("a string", "strings"), SecretStr: ("a string", "strings"), int: ("a whole number",
             "whole numbers"), float: ("a number", "numbers"), bool: ("true or false", "true or false"),
             Path: ("a path (a string)", "paths")}
    if annotation in names:
        return names[annotation][1 if plural else 0]
    return None


def _example(field: FieldInfo) -> str | None:
    """A TOML value to copy: the field's declared example, else its default when that says something."""
    if field.examples:
        return _toml(field.examples[0])
    default = field.default
    if default is PydanticUndefined or default is None or default in ((), [], {}, ""):
        return None
    return _toml(default) if isinstance(default, str | int | float | bool | list | tuple) else None


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _plain(annotation: Any) -> Any:
    """Annotated[X, ...] -> X; X | None -> X."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if _is_union(annotation):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _plain(members[0])
    return annotation


def _step(annotation: Any, part: Any) -> tuple[Any, FieldInfo | None]:
    """The annotation one step into `annotation` at `part`, and the model field it is, if one."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (list, tuple, set, frozenset) and isinstance(part, int):
        return (args[0] if args else Any), None
    if origin is dict:
        return (args[1] if len(args) == 2 else Any), None
    if _is_model(annotation):
        field = annotation.model_fields.get(str(part))
        return (field.annotation, field) if field is not None else (Any, None)
    return Any, None


def _union_member(annotation: Any, part: Any) -> type[BaseModel] | None:
    """The member of a discriminated union of models whose tag is `part`, if `part` is one."""
    for member in _union_models(annotation):
        tag = member.model_fields.get("type")
        if tag is not None and tag.default == part:
            return member
    return None


def _union_models(annotation: Any) -> Sequence[type[BaseModel]]:
    return [a for a in get_args(annotation) if _is_model(a)] if _is_union(annotation) else []


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
