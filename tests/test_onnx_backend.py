"""ONNX backends: the per-user export cache, its lock, and equality with torch (integration)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from hccqa import settings as settings_mod
from hccqa.cache import folder_digest
from hccqa.errors import ModelError
from hccqa.retrieval import onnx as onnx_mod
from hccqa.retrieval.embed import (
    check_onnx_support,
    default_model_path,
    load_embedder,
    prepare_encoder,
)
from hccqa.retrieval.onnx import INPUTS, OnnxEmbedder, ensure_onnx, model_digest
from hccqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "How does hypoxia inside a tumour change sorafenib resistance?",
    "EMT",
    "Which clinical trials tested sunitinib in HCC and what were the outcomes for patients?",
]
DIM = 8


def tiny_onnx(model_dir: Path, out: Path) -> None:
    """A stand-in for the exported transformer: a lookup of one vector per token (no torch)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    table = numpy_helper.from_array(rng.standard_normal((30522, DIM)).astype(np.float32), "table")
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"]) for n in INPUTS]
    output = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, ["batch", "seq", DIM]
    )
    node = helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"])
    graph = helper.make_graph([node], "tiny", inputs, [output], [table])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(out))


def fake_model(folder: Path, pooling: dict[str, bool] | None = None) -> Path:
    """A model folder with the packaged tokenizer and a Transformer + Pooling module list."""
    folder.mkdir(parents=True)
    shutil.copy(default_model_path() / "tokenizer.json", folder / "tokenizer.json")
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
    ]
    (folder / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    (folder / "1_Pooling").mkdir()
    config = pooling or {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


class CountingExporter:
    """A fake exporter that counts its calls and takes ``seconds`` to write."""

    def __init__(self, seconds: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.seconds = seconds
        self.fail = fail
        self._lock = threading.Lock()

    def __call__(self, model_dir: Path, out: Path) -> None:
        with self._lock:
            self.calls += 1
        if self.fail:
            out.write_bytes(b"half a model")
            raise ModelError("export failed halfway")
        time.sleep(self.seconds)
        tiny_onnx(model_dir, out)


def test_export_is_cached_by_model_content(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "model")
    cache = tmp_path / "cache"
    exporter = CountingExporter()
    messages: list[str] = []
    path = ensure_onnx(model, cache=cache, exporter=exporter, status=messages.append)
    assert path == cache / "onnx" / folder_digest(model) / "model.onnx"
    assert path.is_file() and exporter.calls == 1
    assert messages[0].startswith("exporting the encoder to ONNX") and "done in" in messages[-1]
    # Another checkout of the same model (same bytes elsewhere) reuses the file.
    twin = shutil.copytree(model, tmp_path / "elsewhere" / "model")
    assert ensure_onnx(twin, cache=cache, exporter=exporter) == path
    assert exporter.calls == 1
    # An edited model is another model.
    (twin / "tokenizer_config.json").write_text("{}", encoding="utf-8")
    assert ensure_onnx(twin, cache=cache, exporter=exporter) != path
    assert exporter.calls == 2


def test_model_digest_is_remembered_and_follows_edits(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "model")
    cache = tmp_path / "cache"
    first = model_digest(model, cache)
    assert first == folder_digest(model)
    (memo,) = (cache / "onnx" / "digests").iterdir()
    assert memo.read_text().strip() == first
    (model / "modules.json").write_text("[]", encoding="utf-8")
    assert model_digest(model, cache) == folder_digest(model) != first


def test_two_exports_at_once_run_the_exporter_once(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "model")
    cache = tmp_path / "cache"
    exporter = CountingExporter(seconds=0.5)
    results: list[Path] = []

    def worker() -> None:
        results.append(ensure_onnx(model, cache=cache, exporter=exporter))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert exporter.calls == 1
    assert len(set(results)) == 1 and results[0].is_file()
    assert sorted(p.name for p in results[0].parent.iterdir()) == ["export.json", "model.onnx"]


def test_failed_export_leaves_no_model_file(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "model")
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match="halfway"):
        ensure_onnx(model, cache=cache, exporter=CountingExporter(fail=True))
    folder = cache / "onnx" / folder_digest(model)
    assert list(folder.iterdir()) == []  # neither model.onnx nor the temporary file
    assert ensure_onnx(model, cache=cache, exporter=CountingExporter()).is_file()


def test_unwritable_cache_is_one_model_error(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "model")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ModelError, match="HCCQA_CACHE_DIR") as exc:
        ensure_onnx(model, cache=blocker, exporter=CountingExporter())
    assert "\n" not in str(exc.value)


def test_load_embedder_with_the_fake_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fake_model(tmp_path / "model")
    monkeypatch.setenv("HCCQA_CACHE_DIR", str(tmp_path / "cache"))
    exporter = CountingExporter()
    monkeypatch.setattr(onnx_mod, "export_onnx", exporter)
    monkeypatch.setattr(settings_mod, "available_cores", lambda: 2)
    emb = load_embedder(Settings(model=str(model), backend="onnx"))
    assert isinstance(emb, OnnxEmbedder) and emb.backend == "onnx" and emb.dim == DIM
    options = emb._session.get_session_options()
    assert options.intra_op_num_threads == 2  # the backend's choice
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    vecs = emb.encode(TEXTS, batch_size=2)
    assert vecs.shape == (3, DIM)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    assert emb.count_tokens("sorafenib resistance") == 5  # so ##raf ##eni ##b resistance
    # A damaged cached file is exported again instead of failing every load.
    emb.path.write_bytes(b"not onnx")
    again = load_embedder(Settings(model=str(model), backend="onnx"))
    assert exporter.calls == 2
    np.testing.assert_allclose(again.encode(TEXTS), vecs, atol=1e-6)


def test_folder_without_tokenizer_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="tokenizer.json"):
        OnnxEmbedder(tmp_path, tmp_path / "model.onnx", backend="onnx", name="x")


@pytest.mark.parametrize(
    ("pooling", "message"),
    [
        ({"pooling_mode_cls_token": True}, "pooling_mode_cls_token"),
        ({"pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": True}, "max_tokens"),
    ],
)
def test_other_pooling_is_refused(tmp_path: Path, pooling: dict[str, bool], message: str) -> None:
    model = fake_model(tmp_path / "model", pooling)
    with pytest.raises(ModelError, match=message) as exc:
        check_onnx_support(model)
    assert "HCCQA_BACKEND=torch" in str(exc.value)


def test_extra_module_is_refused(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "model")
    modules = json.loads((model / "modules.json").read_text())
    modules.append({"idx": 2, "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (model / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    with pytest.raises(ModelError, match="Dense module"):
        check_onnx_support(model)
    check_onnx_support(default_model_path())  # the packaged model is fine


def test_int8_recipe_block_quantizes_weight_matmuls_and_stays_close(tmp_path: Path) -> None:
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(3)
    w = numpy_helper.from_array(rng.standard_normal((128, 64)).astype(np.float32), "w")
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["a"], name="weights"),
        helper.make_node("MatMul", ["a", "t"], ["b"], name="two_activations"),
    ]
    inputs = [
        helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 128]),
        helper.make_tensor_value_info("t", TensorProto.FLOAT, [64, 1]),
    ]
    out = [helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 1])]
    graph = helper.make_graph(nodes, "g", inputs, out, [w])
    src, dst = tmp_path / "fp32.onnx", tmp_path / "int8.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(src))
    onnx_mod.quantize_int8(src, dst)
    ops = [n.op_type for n in onnx.load(str(dst)).graph.node]
    assert ops.count("MatMulNBits") == 1 and ops.count("MatMul") == 1  # activations stay fp32
    feed = {
        "x": rng.standard_normal((1, 128)).astype(np.float32),
        "t": rng.standard_normal((64, 1)).astype(np.float32),
    }
    got = [ort.InferenceSession(str(p)).run(None, feed)[0] for p in (src, dst)]
    np.testing.assert_allclose(got[1], got[0], rtol=0.02, atol=0.05 * float(np.abs(got[0]).max()))


def test_an_onnxruntime_without_8_bit_blocks_is_a_clear_model_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onnxruntime

    tiny_onnx(tmp_path, tmp_path / "model.onnx")
    for old in ("1.23.2", "1.9.0"):  # 1.22-1.23 have no bits=8; 1.9 sorts below 1.24
        monkeypatch.setattr(onnxruntime, "__version__", old)
        with pytest.raises(ModelError, match="onnxruntime>=1.24 or set HCCQA_BACKEND=onnx"):
            onnx_mod.quantize_int8(tmp_path / "model.onnx", tmp_path / "int8.onnx")
    assert not (tmp_path / "int8.onnx").exists()


def test_default_backend_is_int8_onnx_and_the_others_stay_available() -> None:
    assert Settings().backend == "onnx-int8"
    assert Settings.from_env({"HCCQA_BACKEND": "torch"}).backend == "torch"
    assert Settings.from_env({"HCCQA_BACKEND": "onnx"}).backend == "onnx"


@pytest.mark.integration
def test_onnx_matches_torch_and_int8_stays_close(tmp_path: Path) -> None:
    prepare_encoder(Settings(backend="onnx-int8"))  # the session's cache, exported once
    torch_emb = load_embedder(Settings(backend="torch"))
    torch_vecs = torch_emb.encode(TEXTS)
    onnx = load_embedder(Settings(backend="onnx"))
    assert onnx.path.parent.parent.parent == Path(os.environ["HCCQA_CACHE_DIR"])  # type: ignore[attr-defined]
    vecs = onnx.encode(TEXTS, batch_size=2)  # mixed lengths across batches, sorted inside
    assert vecs.shape == (3, 384)
    np.testing.assert_allclose((vecs * torch_vecs).sum(axis=1), 1.0, atol=1e-4)
    assert onnx.encode([]).shape == (0, 384)
    text = "sorafenib resistance in hepatocellular carcinoma"
    assert onnx.count_tokens(text) == torch_emb.count_tokens(text)  # type: ignore[attr-defined]
    int8 = load_embedder(Settings(backend="onnx-int8"))
    assert int8.backend == onnx_mod.INT8_BACKEND == "onnx-int8-v3"  # type: ignore[attr-defined]
    assert int8.path.name == onnx_mod.INT8_FILE and int8.path.parent == onnx.path.parent  # type: ignore[attr-defined]
    together = int8.encode(TEXTS)
    cos = (together * torch_vecs).sum(axis=1)
    assert np.all(cos > 0.995), cos  # 0.999 measured with VNNI; other CPUs, other int8 kernels
    # A passage gets the vector a query of the same text gets (no batch neighbours).
    alone = np.concatenate([int8.encode([t]) for t in TEXTS])
    np.testing.assert_array_equal(together, alone)


ASK_WITHOUT_TORCH = """
import json, sys
from pathlib import Path
from hccqa import QA, Settings
from hccqa.ui.web import build_app

qa = QA.load(Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])))
answer = qa.ask("Which growth factor receptors make HCC cells respond less to sorafenib?")
hits = qa.search("EMT and sorafenib", k=3)
build_app(qa, qa.settings)
heavy = sorted(
    m for m in sys.modules
    if m.split(".")[0] in ("torch", "sentence_transformers", "transformers", "sklearn")
)
print(json.dumps({"heavy": heavy, "passages": len(answer.passages), "hits": len(hits)}))
"""


@pytest.mark.integration
def test_query_path_never_imports_torch(tmp_path: Path) -> None:
    prepare_encoder(Settings())  # the export itself needs torch, once per machine
    proc = subprocess.run(
        [sys.executable, "-c", ASK_WITHOUT_TORCH, str(ROOT / "corpus"), str(tmp_path / "index")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["passages"] >= 10 and result["hits"] == 3
    meta = json.loads((tmp_path / "index" / "meta.json").read_text())
    assert meta["backend"] == onnx_mod.INT8_BACKEND  # the default, built in that process too


ASK_FROM_A_BUILT_INDEX = """
import json, sys
from pathlib import Path
from hccqa import QA, Settings

qa = QA.load(Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])))
answer = qa.ask("Which growth factor receptors make HCC cells respond less to sorafenib?")
loaded = sorted(
    m for m in sys.modules if m.split(".")[0] in ("bm25s", "scipy", "tqdm", "faiss", "filelock")
)
print(json.dumps({"loaded": loaded, "passages": len(answer.passages)}))
"""


@pytest.mark.integration
def test_a_process_loading_a_built_index_never_imports_bm25s(tmp_path: Path) -> None:
    # the build saves BM25's score matrices: answering needs neither bm25s nor scipy; a
    # small flat index is searched with numpy (no faiss) and only a build locks (no filelock)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    args = [str(ROOT / "corpus"), str(tmp_path / "index")]
    for _ in range(2):  # the first run builds the index, the second only loads it
        proc = subprocess.run(
            [sys.executable, "-c", ASK_FROM_A_BUILT_INDEX, *args],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["loaded"] == [] and result["passages"] >= 10
