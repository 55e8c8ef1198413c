"""The conda environment mirrors pyproject.toml's pins, so neither drifts."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    pinned = set(project["dependencies"]) | set(extras["test"]) | set(extras["spark"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert set(pip) - {"-e ."} == pinned
    assert all("==" in dep for dep in pinned), "every dependency is pinned"
