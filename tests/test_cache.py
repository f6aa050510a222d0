from pathlib import Path

from hccqa.cache import cache_root, folder_digest


def test_cache_root_env_override_and_default(tmp_path: Path) -> None:
    assert cache_root({"HCCQA_CACHE_DIR": str(tmp_path / "c")}) == tmp_path / "c"
    default = cache_root({})
    assert default.name == "hccqa" and default.is_absolute()


def test_folder_digest_follows_names_and_bytes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.tsv").write_text("two")
    (tmp_path / "skip.bin").write_bytes(b"\0")
    first = folder_digest(tmp_path, suffixes=(".txt", ".tsv"))
    (tmp_path / "skip.bin").write_bytes(b"\1")
    assert folder_digest(tmp_path, suffixes=(".txt", ".tsv")) == first  # not a listed suffix
    assert folder_digest(tmp_path) != folder_digest(tmp_path, suffixes=(".txt",))
    (tmp_path / "sub" / "b.tsv").write_text("three")
    assert folder_digest(tmp_path, suffixes=(".txt", ".tsv")) != first
