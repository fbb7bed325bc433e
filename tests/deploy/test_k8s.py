"""k8s/: every manifest validates offline against the Kubernetes schemas, and the invariants hold
(one repo worker, one beat, one bot, never overlapping; probes and resources everywhere; no
secret values; durable Redis; no CronJobs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from shared.settings import Settings
from tests.deploy.deploy_files import (
    K8S,
    K8S_OPTIONAL,
    SECRET_SETTINGS,
    k8s_files,
    k8s_objects,
    kustomization,
    pod_templates,
    procfile_roles,
    yaml_docs,
)
from worker.roles import find_role, role_problems

KUBERNETES_VERSION = "1.33.0"
SINGLETONS = {"repo_worker", "beat", "bot"}
APP_IMAGE = "myorg-assistant"


def app_containers(objects: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (workload["metadata"]["name"], container)
        for workload, pod in pod_templates(objects)
        for container in pod["containers"]
        if container["image"].split(":")[0] == APP_IMAGE
    ]


def role_of(container: dict[str, Any]) -> str:
    return find_role(container["args"][0], procfile_roles()).name


def config_map() -> dict[str, str]:
    (cm,) = [o for o in k8s_objects() if o["kind"] == "ConfigMap"]
    data: dict[str, str] = cm["data"]
    return data


@pytest.mark.parametrize("path", k8s_files(), ids=lambda p: p.name)
def test_manifest_validates_against_the_kubernetes_schema(path: Path) -> None:
    for doc in yaml_docs(path):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_a_misspelt_field_is_caught_by_the_validation() -> None:
    (deployment,) = yaml_docs(K8S / "beat.yaml")
    deployment["spec"]["replica"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_manifest_but_the_optional_ones() -> None:
    listed = set(kustomization()["resources"])
    present = {p.name for p in k8s_files()}
    assert listed | K8S_OPTIONAL == present
    assert not listed & K8S_OPTIONAL
    assert kustomization()["namespace"] == "myorg"


def test_every_procfile_role_runs_as_a_deployment_of_the_one_image() -> None:
    roles = [role_of(c) for _, c in app_containers(k8s_objects())]
    assert sorted(roles) == sorted(procfile_roles())


def test_repo_worker_beat_and_bot_are_single_and_never_overlap() -> None:
    for workload, _pod in pod_templates(k8s_objects()):
        containers = workload["spec"]["template"]["spec"]["containers"]
        roles = {role_of(c) for c in containers if c["image"] == APP_IMAGE}
        if roles & SINGLETONS:
            name = workload["metadata"]["name"]
            assert workload["kind"] == "Deployment", name
            assert workload["spec"]["replicas"] == 1, name
            assert workload["spec"]["strategy"] == {"type": "Recreate"}, name


def test_every_container_has_probes_and_resources() -> None:
    for workload, pod in pod_templates(k8s_objects()):
        for container in pod["containers"]:
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert "livenessProbe" in container and "readinessProbe" in container, where
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            assert {"cpu", "memory"} <= set(resources["limits"]), where


def test_app_probes_check_their_own_role() -> None:
    for name, container in app_containers(k8s_objects()):
        role = role_of(container)
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            probe = container[kind]
            if "exec" in probe:
                command = probe["exec"]["command"]
                assert command[:4] == ["python", "-m", "worker.roles", "health"], name
                assert find_role(command[4], procfile_roles()).name == role, name
            else:
                assert probe["httpGet"]["port"] == "http", name
                assert role in {"web", "flower"}, name


def test_pods_run_as_non_root_without_service_links() -> None:
    for workload, pod in pod_templates(k8s_objects()):
        name = workload["metadata"]["name"]
        # Service links would set WEB_PORT=tcp://... and FLOWER_PORT=tcp://..., which are settings.
        assert pod["enableServiceLinks"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name


def test_only_the_repo_worker_mounts_the_org_repository_writable() -> None:
    for name, container in app_containers(k8s_objects()):
        for mount in container.get("volumeMounts", []):
            if mount["mountPath"] == "/data/org":
                writable = not mount.get("readOnly", False)
                assert writable == (role_of(container) == "repo_worker"), name


def test_worker_grace_periods_exceed_the_task_time_limit() -> None:
    limit = settings_from_config_map().task_time_limit_s
    for workload, pod in pod_templates(k8s_objects()):
        roles = {role_of(c) for c in pod["containers"] if c["image"] == APP_IMAGE}
        if roles & {"repo_worker", "agent_worker"}:
            assert pod["terminationGracePeriodSeconds"] > limit, workload["metadata"]["name"]


def test_redis_is_a_stateful_set_with_the_aof_on_a_persistent_volume() -> None:
    (redis,) = [o for o in k8s_objects() if o["kind"] == "StatefulSet"]
    (container,) = redis["spec"]["template"]["spec"]["containers"]
    args = container["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"
    data_dir = args[args.index("--dir") + 1]
    claims = {t["metadata"]["name"] for t in redis["spec"]["volumeClaimTemplates"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts[data_dir] in claims
    assert config_map()["REDIS_URL"].startswith(f"redis://{redis['spec']['serviceName']}:")


def test_no_cron_jobs_beat_runs_every_schedule() -> None:
    kinds = {o["kind"] for o in k8s_objects(include_optional=True)}
    assert not kinds & {"CronJob", "Job"}


def test_no_secret_values_anywhere_in_k8s() -> None:
    assert not set(config_map()) & SECRET_SETTINGS
    for obj in k8s_objects(include_optional=True):
        if obj["kind"] == "Secret":
            values = {**obj.get("stringData", {}), **obj.get("data", {})}
            assert set(values) <= SECRET_SETTINGS | {"GIT_USERNAME"}
            assert all(v == "" for v in values.values()), "the example carries no values"
    for _, container in app_containers(k8s_objects()):
        for env in container.get("env", []):
            assert env["name"] not in SECRET_SETTINGS or "valueFrom" in env


def settings_from_config_map(**secrets: str) -> Settings:
    values = {key.lower(): value for key, value in config_map().items()}
    return Settings(_env_file=None, **values, **secrets)


def test_the_config_map_and_secret_make_valid_settings_for_every_role() -> None:
    made_up = {
        "web_password": "made-up-password",
        "secret_key": "made-up-secret-key",
        "flower_password": "made-up-flower-password",
        "discord_bot_token": "made-up-token",
    }
    settings = settings_from_config_map(**made_up)
    assert settings.task_time_limit_s < settings.visibility_timeout_s
    for name, container in app_containers(k8s_objects()):
        role = find_role(container["args"][0], procfile_roles())
        assert role_problems(role, settings) == [], name
        refs = [e.get("secretRef", {}).get("name") for e in container["envFrom"]]
        assert "myorg-secrets" in refs, name


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_everything_into_the_namespace() -> None:
    done = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    rendered = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    assert len(rendered) == len(k8s_objects())
    for obj in rendered:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "myorg", obj["metadata"]["name"]
        assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "myorg"
