"""Reading the deployment files (Procfile, Dockerfile, compose, Kubernetes) for the tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from worker.roles import Role, read_procfile

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
#: Files in k8s/ that kustomization.yaml leaves out on purpose.
K8S_OPTIONAL = {"secret.example.yaml", "ingress.yaml"}
#: Setting names whose values are secrets: they must come from the Secret or .env only.
SECRET_SETTINGS = {
    "WEB_PASSWORD",
    "SECRET_KEY",
    "FLOWER_PASSWORD",
    "ANTHROPIC_API_KEY",
    "LITELLM_API_KEY",
    "DISCORD_BOT_TOKEN",
    "GIT_PASSWORD",
}


def procfile_roles() -> dict[str, Role]:
    return read_procfile(ROOT / "Procfile")


def yaml_docs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml_docs(COMPOSE)[0]
    return data


def k8s_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def kustomization() -> dict[str, Any]:
    return yaml_docs(K8S / "kustomization.yaml")[0]


def k8s_objects(include_optional: bool = False) -> list[dict[str, Any]]:
    """Every object the kustomization applies (plus the optional files when asked)."""
    names = list(kustomization()["resources"])
    if include_optional:
        names += sorted(K8S_OPTIONAL)
    return [doc for name in names for doc in yaml_docs(K8S / name)]


def pod_templates(objects: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod spec) for every Deployment and StatefulSet."""
    return [
        (obj, obj["spec"]["template"]["spec"])
        for obj in objects
        if obj["kind"] in {"Deployment", "StatefulSet"}
    ]


def duration_s(text: str | int) -> float:
    """Compose durations: ``40s``, ``1m30s``, ``500ms``."""
    if isinstance(text, int):
        return float(text)
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6}
    total = 0.0
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a compose duration: {text!r}")
    for number, unit in parts:
        total += float(number) * units[unit]
    return total


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined: list[str] = []
    buffer = ""
    for line in DOCKERFILE.read_text("utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        joined.append(buffer + stripped)
        buffer = ""
    result = []
    for item in joined:
        word, _, rest = item.partition(" ")
        result.append((word.upper(), rest.strip()))
    return result
