"""Hundreds of mutated specs: each validates or exits 2 with one line per problem naming its
path; none produces a traceback. Valid ones round-trip. DANAS_FUZZ_EXAMPLES raises the count
(500 by default: 1,000 took 29 s of the suite's 10 minutes; run thousands before a release)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.spec import resolve
from engine.spec.load import MAX_SPEC_BYTES
from tests.conftest import SPECS

EXAMPLES = int(os.environ.get("DANAS_FUZZ_EXAMPLES", "500"))
SEEDS = [yaml.safe_load(p.read_text()) for p in sorted(SPECS.glob("**/*.yaml"))]
LINE = re.compile(r"^error: (?P<file>[^:]+): (?P<path>\S.*?): (?P<message>.+)$")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["", "evolutoin", "rgb", "mono", "🦄", "vision", "audio", "darts", "x" * 300]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


@st.composite
def mutated_specs(draw) -> dict:
    spec = json.loads(json.dumps(draw(st.sampled_from(SEEDS))))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(list(paths(spec))))
        kind = draw(st.sampled_from(["replace", "unknown", "misspell", "delete", "wrap", "empty"]))
        parent = spec
        for key in where[:-1]:
            parent = parent[key]
        if not where:
            spec = draw(values) if kind == "replace" else spec
            continue
        last = where[-1]
        if kind == "replace":
            parent[last] = draw(values)
        elif kind == "unknown" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(values)
        elif kind == "misspell" and isinstance(parent, dict) and isinstance(last, str) and last:
            parent[last[:-1] + ("x" if last[-1] != "x" else "y")] = parent.pop(last)
        elif kind == "delete":
            del parent[last]
        elif kind == "wrap":
            parent[last] = draw(st.sampled_from([[parent[last]], {"value": parent[last]}]))
        elif kind == "empty":
            parent[last] = draw(st.sampled_from([[], {}, "", None]))
    return spec


def check_cli(text: str) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(path), "--check"])
        assert code in (0, 2), (code, err.getvalue())
        assert "Traceback" not in err.getvalue()
        if code == 2:
            lines = err.getvalue().strip().splitlines()
            assert lines
            for line in lines:
                match = LINE.match(line)
                assert match and match["file"] == str(path), line
        return code, out.getvalue(), err.getvalue()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_specs())
def test_mutated_specs_validate_or_fail_cleanly(spec):
    text = yaml.safe_dump(spec, allow_unicode=True)
    code, _, _ = check_cli(text)
    if code == 0:
        parsed = yaml.safe_load(text)
        resolved, config = resolve({} if parsed is None else parsed)  # an empty file is an empty spec
        assert resolve(json.loads(json.dumps(resolved))) == (resolved, config)


@settings(max_examples=max(50, EXAMPLES // 10), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(SEEDS), st.sampled_from(["dup", "anchor", "deep", "tab", "binary"]))
def test_yaml_level_oddities(seed, oddity):
    text = yaml.safe_dump(seed)
    if oddity == "dup":
        text += "seed: 3\nseed: 4\n"
    elif oddity == "anchor":
        text = "anchors: &a {x: 1}\n" + text + "more: *a\n"
    elif oddity == "deep":
        text += "deep: " + "[" * 200 + "]" * 200 + "\n"
    elif oddity == "tab":
        text = "\t" + text
    else:
        text += "blob: !!binary aGVsbG8=\n"
    assert check_cli(text)[0] == 2


def test_a_10_mb_spec_is_refused_in_one_line():
    code, _, err = check_cli("name: x\n" + "# padding\n" * (10 * 1024 * 1024 // 10))
    assert code == 2 and f"a spec may be at most {MAX_SPEC_BYTES:,}" in err


def test_yaml_cannot_run_code_or_read_files(tmp_path):
    for text in ("name: !!python/object/apply:os.system ['touch /tmp/danas-pwned']\n",
                 "name: !!python/name:os.system\n", "name: !include /etc/passwd\n",
                 "name: !!python/object/new:subprocess.check_output [['id']]\n"):
        code, _, err = check_cli(text)
        assert code == 2 and "not valid YAML" in err
    assert not Path("/tmp/danas-pwned").exists()
