"""The agent's tools, registered in one place, and their definitions for the Messages API."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import ValidationError

from shared.agent import analysis_tools, read_tools, suggest, write_tools
from shared.agent.tool_types import Tool, ToolError, ToolInput

ALL_TOOLS: tuple[Tool, ...] = (
    *read_tools.TOOLS,
    *analysis_tools.TOOLS,
    *suggest.TOOLS,
    *write_tools.TOOLS,
)
TOOLS_BY_NAME: dict[str, Tool] = {t.name: t for t in ALL_TOOLS}
_DEFINITIONS = [t.definition() for t in ALL_TOOLS]


def tool_definitions(cache: bool = True) -> list[dict[str, Any]]:
    """Every tool's name, description and JSON schema, in a fixed order so the prompt prefix
    stays byte-identical between requests; the last one carries the cache breakpoint."""
    defs = copy.deepcopy(_DEFINITIONS)
    if cache and defs:
        defs[-1]["cache_control"] = {"type": "ephemeral"}
    return defs


def find_tool(name: str) -> Tool:
    tool = TOOLS_BY_NAME.get(name)
    if tool is None:
        raise ToolError(f"there is no tool named {name!r}")
    return tool


def parse_input(tool: Tool, raw: Any) -> ToolInput:
    """Validate the model's input; a mistake comes back as one short line it can act on."""
    if not isinstance(raw, dict):
        raise ToolError(f"{tool.name}: the input must be a JSON object")
    try:
        return tool.input_model.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:4]:
            where = ".".join(str(p) for p in err["loc"]) or "input"
            problems.append(f"{where}: {err['msg']}")
        raise ToolError(f"{tool.name}: invalid input ({'; '.join(problems)})") from exc
