"""The catalog of shipped models: declared as data in ``catalog.yaml``, each file pinned by sha256.

Loading a model goes through :func:`ModelCatalog.resolve`, which checks the file exists and matches its
checksum, so a missing, truncated or swapped model is caught at start-up with a message that says which
file, what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")
_PKG_PREFIX = "pkg:"


class ModelCatalogError(RuntimeError):
    """Base class: the catalog or a model file is not as declared."""


class ModelNotFoundError(ModelCatalogError):
    pass


class ModelFileMissingError(ModelCatalogError):
    pass


class ModelChecksumError(ModelCatalogError):
    pass


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str
    version: str
    task: str
    file: str
    sha256: str
    input: Mapping[str, Any]
    normalization: Mapping[str, Any]
    origin: Mapping[str, Any]
    metrics: Mapping[str, Any] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    vocabulary: Mapping[str, Any] | None = None
    postprocess: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ModelEntry:
        required = ("name", "version", "task", "file", "sha256", "input", "normalization", "origin")
        missing = [k for k in required if k not in raw]
        if missing:
            raise ModelCatalogError(f"catalog entry {raw.get('name', '?')!r} lacks {missing}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ModelCatalogError(f"catalog entry {raw['name']!r} has unknown keys {unknown}")
        values = dict(raw)
        values["labels"] = tuple(values.get("labels") or ())
        values["metrics"] = values.get("metrics") or {}
        values["postprocess"] = values.get("postprocess") or {}
        return cls(**values)

    @property
    def training_command(self) -> str | None:
        return self.origin.get("training_command")

    @property
    def short_sha(self) -> str:
        return self.sha256[:12]


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _package_file(spec: str) -> Path:
    package, _, rel = spec.removeprefix(_PKG_PREFIX).partition("/")
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise ModelFileMissingError(f"model file {spec!r}: package {package!r} is not installed")
    return Path(next(iter(found.submodule_search_locations))) / rel


class ModelCatalog:
    def __init__(self, entries: Mapping[str, ModelEntry], root: Path) -> None:
        self._entries = dict(entries)
        self.root = root

    @classmethod
    def load(cls, path: Path = CATALOG_PATH) -> ModelCatalog:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelCatalogError(f"model catalog {path} does not exist") from None
        entries: dict[str, ModelEntry] = {}
        for item in (raw or {}).get("models") or []:
            entry = ModelEntry.from_dict(item)
            if entry.name in entries:
                raise ModelCatalogError(f"model {entry.name!r} is declared twice in {path}")
            entries[entry.name] = entry
        return cls(entries, path.parent)

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def get(self, name: str) -> ModelEntry:
        try:
            return self._entries[name]
        except KeyError:
            known = sorted(self._entries)
            raise ModelNotFoundError(f"no model named {name!r} in the catalog; known: {known}") from None

    def path_of(self, entry: ModelEntry) -> Path:
        if entry.file.startswith(_PKG_PREFIX):
            return _package_file(entry.file)
        return self.root / entry.file

    def resolve(self, name: str) -> Path:
        """The verified path of a model's file; raises if it is missing or its checksum differs."""
        entry = self.get(name)
        path = self.path_of(entry)
        if not path.is_file():
            raise ModelFileMissingError(f"model {name!r}: file {path} is missing (catalog file: {entry.file})")
        actual = sha256_of(path)
        if actual != entry.sha256:
            raise ModelChecksumError(
                f"model {name!r}: {path} has sha256 {actual}, the catalog expects {entry.sha256}; "
                "the file was altered or replaced: restore it or retrain and update the catalog"
            )
        return path
