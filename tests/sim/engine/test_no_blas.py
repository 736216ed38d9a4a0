"""The model's arithmetic never goes through BLAS, whose summation order differs between CPUs.

``np.dot``, ``@`` and their kin hand float64 products to the BLAS library, which picks a kernel
for the CPU it runs on (with its own order of additions and, on some CPUs, fused multiply-add),
so their last bits differ from machine to machine. The explanation's pair parts did that until
the golden digests, made on a CPU with AVX-512, failed on one without it. Every weighted sum of
the model and its explanations is added term by term instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import agents
import sim
from sim import TrilateralModel
from sim.engine.explain import contributions
from sim.engine.layout import PAIRS
from sim.engine.scoring import history_spill

ROOTS = [Path(sim.__file__).resolve().parent / name for name in ("engine", "lang")] + [
    Path(agents.__file__).resolve().parent
]
BLAS_CALLS = {"dot", "vdot", "inner", "matmul", "tensordot", "einsum"}


def _blas_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.append(f"{path.name}:{node.lineno}: @")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in BLAS_CALLS:
            found.append(f"{path.name}:{node.lineno}: {node.func.attr}")
    return found


def test_no_module_of_the_model_multiplies_through_blas():
    uses = [use for root in ROOTS for path in sorted(root.rglob("*.py")) for use in _blas_uses(path)]
    assert uses == []


def test_the_check_sees_a_product_through_blas(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import numpy as np\na = w @ v\nb = np.dot(w, v)\nc = v.dot(w)\n", encoding="utf-8")
    assert _blas_uses(sample) == ["sample.py:2: @", "sample.py:3: dot", "sample.py:4: dot"]


def test_a_pair_part_is_the_domains_shares_added_in_domain_order():
    model = TrilateralModel("baseline", seed=5, replication_ids=[0], turns=2, record=True)
    model.run()
    layout = model.scenario.layout
    record = next(r for r in model.state.recorder.turns if r.turn == 2)
    parts = contributions(model, 2)
    for pair in PAIRS:
        by_source = dict(parts[f"tie.{pair}"]["parts"])
        for source, value in by_source.items():
            moved = record.changes[source][layout.tie_rows(pair)].tolist()
            shares = [w * v for w, v in zip(layout.domain_weights.tolist(), moved, strict=True)]
            total = shares[0]
            for share in shares[1:]:
                total += share
            assert value == total


def test_history_spill_adds_the_domains_in_order():
    weights = np.array([0.3, 0.1, 0.2, 0.25, 0.15])
    spillover = np.array([0.7, 0.35, 0.9, 0.1, 0.55])
    terms = (weights * (1.0 - 0.4 * (1.0 - spillover))).tolist()
    expected = terms[0]
    for term in terms[1:]:
        expected += term
    assert history_spill(weights, 0.4, spillover) == expected
    per_world = history_spill(weights, np.array([0.4, 0.9, 0.4]), spillover)
    assert per_world[0] == per_world[2] == expected and per_world[1] == history_spill(weights, 0.9, spillover)
