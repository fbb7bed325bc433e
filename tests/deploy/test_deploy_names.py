"""Names the deployment files use must mean something: every variable they set is a setting
(a misspelt one would be ignored silently), and the deployment guide names every role."""

from __future__ import annotations

from shared.settings import Settings
from tests.deploy.deploy_files import ROOT, compose, k8s_objects, procfile_roles

ALIASES = {"LITELLM_API_KEY", "LITELLM_ENDPOINT", "LITELLM_MODEL"}


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields} | ALIASES


def test_every_variable_compose_sets_is_a_setting() -> None:
    for name, service in compose()["services"].items():
        if name == "redis":
            continue
        unknown = set(service.get("environment", {})) - setting_names()
        assert not unknown, f"{name}: {unknown}"


def test_every_key_of_the_config_map_and_secret_is_a_setting() -> None:
    for obj in k8s_objects(include_optional=True):
        if obj["kind"] in {"ConfigMap", "Secret"}:
            keys = {*obj.get("data", {}), *obj.get("stringData", {})}
            unknown = keys - setting_names()
            assert not unknown, f"{obj['metadata']['name']}: {unknown}"


def test_the_deployment_guide_names_every_role_and_the_health_command() -> None:
    guide = (ROOT / "docs" / "deployment.md").read_text("utf-8")
    for role in procfile_roles():
        assert f"| `{role}` |" in guide, role
    assert "python -m worker.roles health" in guide
    troubleshooting = (ROOT / "docs" / "troubleshooting.md").read_text("utf-8")
    assert "python -m worker.roles health" in troubleshooting
