"""The ``chayan`` command. Each subcommand imports only what it needs, so ``chayan models list`` does not
load ONNX Runtime and ``chayan serve`` never imports the training stack."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inference.types import Frame


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .settings import Settings

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level.lower())
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from models import ModelCatalog, ModelCatalogError

    catalog = ModelCatalog.load()
    failures = 0
    for entry in catalog:
        if args.action == "list":
            metrics = ", ".join(f"{k}={v}" for k, v in entry.metrics.items()) or "-"
            origin = entry.training_command or entry.origin.get("source", "")
            print(f"{entry.name:<14} {entry.task:<18} {entry.version:<22} sha256 {entry.short_sha}  {entry.file}")
            print(f"{'':<14} origin: {origin}\n{'':<14} metrics: {metrics}")
        else:
            try:
                path = catalog.resolve(entry.name)
                print(f"ok      {entry.name:<14} {path}")
            except ModelCatalogError as err:
                failures += 1
                print(f"FAILED  {entry.name:<14} {err}")
    return 1 if failures else 0


def _image_file(path: str, settings: Any) -> Frame:
    """An image file decoded as an upload is (HEIC, orientation, transparency), under the ``settings``' limits;
    ValueError with the reason when it cannot be."""
    from .images import UploadError, decode_image

    try:
        return decode_image(Path(path).read_bytes(), settings.max_upload_bytes, settings.max_image_pixels)
    except OSError as err:
        raise ValueError(err.strerror or str(err)) from None
    except UploadError as err:
        raise ValueError(err.message) from None


def _text_file(path: str, what: str) -> str:
    """A JSON file's text (UTF-8, with or without the byte-order mark Windows editors write); ValueError naming the
    file and the reason when it cannot be read (missing, or saved in another encoding such as GBK)."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise ValueError(f"{path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: the {what} is not UTF-8 text; save it as UTF-8") from None


def _cmd_read(args: argparse.Namespace) -> int:
    from inference.engine import Engine, EngineOptions
    from inference.stages.text import TextReader
    from inference.vehicle import ImageHint, make_reader

    from .schemas import LineOut, ReadOut
    from .settings import Settings

    settings = Settings()
    engine = Engine(options=EngineOptions(intra_op_threads=args.threads))
    reader = make_reader(engine, args.reader)
    text_reader = TextReader(engine) if args.lines else None
    status = 0
    for name in args.images:
        try:
            frame = _image_file(name, settings)
        except ValueError as err:
            print(json.dumps({"file": name, "error": str(err)}, ensure_ascii=False))
            status = 1
            continue
        result = reader.read(frame, ImageHint(args.hint))
        out = ReadOut.of(result, name).model_dump()
        if text_reader is not None:
            out["lines"] = [LineOut.of(line).model_dump() for line in text_reader.read(frame).lines]
        if args.json:
            print(json.dumps(out, ensure_ascii=False))
        else:
            plates = ", ".join(f"{p['text']} ({p['color']}, {p['confidence']:.2f})" for p in out["plates"]) or "-"
            vins = ", ".join(f"{v['text']} (check digit {'ok' if v['check_digit_ok'] else 'FAILS'})"
                             for v in out["vins"]) or "-"
            nameplates = "; ".join(", ".join(f"{k} {v}" for k, v in n["fields"].items()) or "no fields read"
                                   for n in out["nameplates"])
            print(f"{name}: plates {plates}; VINs {vins}" + (f"; nameplate {nameplates}" if nameplates else ""))
            for line in out.get("lines", []):
                print(f"    {line['confidence']:.2f}  {line['text']}")
    return status


def _cmd_datasets(args: argparse.Namespace) -> int:
    from datasets.core import build

    report = build(args.kind, args.n, args.seed, Path(args.out), workers=args.workers)
    print(f"{report.n} {report.kind} samples in {report.seconds:.1f} s ({report.samples_per_second:.1f} samples/s) "
          f"-> {report.out}; contact sheet {report.contact_sheet}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from benchmarks import peers, realdev
    from inference.engine import Engine, EngineOptions
    from inference.vehicle import make_reader

    engine = Engine(options=EngineOptions(intra_op_threads=args.threads))

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    reports = {}
    for kind in args.reader:
        reader = peers.make_peer(kind) if kind in peers.PEERS else make_reader(engine, kind)
        name = reader.kind
        print(f"{name}:", file=sys.stderr)
        reports[name] = realdev.run(reader, name, Path(args.root), Path(args.out), args.threads, args.limit, progress)
        print(file=sys.stderr)
        print(realdev.markdown(name, reports[name]["summary"], reports[name]["setup"]))
    if len(reports) > 1:
        table = realdev.comparison_markdown(reports)
        (Path(args.out) / "realdev-comparison.md").write_text(table, encoding="utf-8")
        print(table)
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    if args.stage == "calibrate" and args.what not in ("authenticity", "authenticity-page"):
        print(f"--stage calibrate sets the authenticity models' thresholds; {args.what} has none", file=sys.stderr)
        return 2
    if args.what == "detector":
        from training import detector

        detector.run(Path(args.config), threads=args.threads, workers=args.workers, stage=args.stage)
    elif args.what == "doc-text-rec":
        from training import text_rec

        text_rec.run(Path(args.config), threads=args.threads)
    elif args.what == "doc-text-det":
        from training import text_det

        text_det.run(Path(args.config), workers=args.workers)
    elif args.what in ("doc-type", "authenticity", "authenticity-page"):
        from training import documents

        documents.run(Path(args.config), threads=args.threads, workers=args.workers, stage=args.stage)
    else:  # plate-reader, vin-reader
        from training import recognizer

        recognizer.run(Path(args.config), workers=args.workers, threads=args.threads, stage=args.stage)
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from inference.engine import Engine, EngineOptions
    from inference.vehicle import make_reader

    from .routes.inspections import inspect_frame, inspection_json, parse_record
    from .settings import Settings

    try:
        record = parse_record(_text_file(args.record, "vehicle record"))
    except ValueError as err:
        print(f"chayan inspect: {err}", file=sys.stderr)
        return 1
    try:
        frame = _image_file(args.image, Settings())
    except ValueError as err:
        print(f"chayan inspect: {args.image}: {err}", file=sys.stderr)
        return 1
    reader = make_reader(Engine(options=EngineOptions(intra_op_threads=args.threads)), args.reader)
    out = inspection_json(*inspect_frame(reader, frame, record), args.image)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"{args.image}: {out['verdict']}")
        for c in out["checks"]:
            print(f"  {c['field']:<16} {c['verdict']:<13} record {c['expected']}  read {c['read'] or '-'}")
            for reason in c["reasons"]:
                print(f"  {'':<16} - {reason}")
    return {"match": 0, "needs_review": 3, "unreadable": 3}.get(out["verdict"], 4)


def _cmd_stream(args: argparse.Namespace) -> int:
    from .stream_client import run

    return run(args)


def _cmd_review(args: argparse.Namespace) -> int:
    from inference.documents.reader import DocumentReader
    from inference.documents.review import review_case
    from inference.engine import Engine, EngineOptions

    from .routes.reviews import ReviewOut, decode_upload, parse_application
    from .settings import Settings

    settings = Settings()
    try:
        text = _text_file(args.application, "application") if args.application else None
        app = parse_application(text, args.business)
        pages = [page for name in args.files for page in decode_upload(name, Path(name).read_bytes(), settings)]
    except (OSError, ValueError) as err:  # an UploadError is a ValueError
        print(f"chayan review: {getattr(err, 'message', err)}", file=sys.stderr)
        return 2
    engine = Engine(options=EngineOptions(intra_op_threads=args.threads))
    reader = DocumentReader(engine, authenticity_thresholds=settings.document_thresholds())
    result = review_case(reader.read, pages, None, app, plan=reader.plan, on=dt.date.today())
    out = ReviewOut.of(result)
    if args.json:
        print(json.dumps(out.model_dump(), ensure_ascii=False))
    else:
        for d in out.documents:
            verdict = d.authenticity.verdict if d.authenticity else "-"
            turned = f", read turned {d.turned_degrees} degrees clockwise" if d.turned_degrees else ""
            print(f"{d.file}: {d.doc_type}/{d.page} ({d.confidence:.2f}), authenticity {verdict}, "
                  f"quality {'ok' if d.quality.ok else ','.join(d.quality.issues)}{turned}")
            for k, f in d.fields.items():
                print(f"    {k:<12} {f.text}{'' if f.valid else '  [INVALID: ' + '; '.join(f.problems) + ']'}")
        print(f"decision: {out.decision}\n{out.notice_zh}\n{out.notice_en}")
    return {"pass": 0, "refer_to_officer": 3}.get(out.decision, 4)


# what an office's folder of genuine documents may hold: the files the review takes (other files are skipped)
CALIBRATION_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".heic", ".heif", ".pdf")


def _office_pages(folder: Path, settings: Any) -> Iterator[Frame]:
    """The pages of the documents in ``folder`` and its subfolders, decoded as uploads are (the same limits)."""
    from .images import UploadError
    from .routes.reviews import decode_upload

    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in CALIBRATION_SUFFIXES):
        try:
            pages = decode_upload(str(path), path.read_bytes(), settings)
        except UploadError as err:
            raise ValueError(err.message) from None
        yield from (frame for _, frame in pages)


def _cmd_calibrate_authenticity(args: argparse.Namespace) -> int:
    from inference.documents.calibration import calibrate_pages
    from inference.engine import Engine

    from .settings import Settings

    settings = Settings()
    folder = Path(args.folder)
    try:
        result = calibrate_pages(Engine(), _office_pages(folder, settings), args.target_false_alarm, str(folder))
    except ValueError as err:
        print(f"chayan calibrate-authenticity: {err}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else settings.calibration_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{result['pages']} genuine pages -> thresholds {result['thresholds']} written to {out}")
    return 0


def _not_yet(feature: str) -> int:
    print(f"chayan: {feature} is not available in this version yet", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chayan", description="Vehicle inspection and document verification")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="start the HTTP service")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("models", help="the catalog of shipped models")
    p.add_argument("action", choices=["list", "verify"])
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("read", help="read plates and VINs in images")
    p.add_argument("images", nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON object per image")
    p.add_argument("--lines", action="store_true", help="also print every text line found")
    p.add_argument("--hint", choices=["frame", "plate_crop", "vin_crop"], default="frame")
    p.add_argument("--reader", choices=["auto", "dedicated", "text-lines", "general-ocr"], default="auto")
    p.add_argument("--threads", type=int, default=2)
    p.set_defaults(func=_cmd_read)

    p = sub.add_parser("datasets", help="synthetic data factory")
    dsub = p.add_subparsers(dest="action", required=True)
    b = dsub.add_parser("build", help="build KIND --n N --seed S --out DIR")
    b.add_argument("kind")
    b.add_argument("--n", type=int, required=True)
    b.add_argument("--seed", type=int, required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--workers", type=int, default=1)
    b.set_defaults(func=_cmd_datasets)

    p = sub.add_parser("bench", help="benchmarks")
    bsub = p.add_subparsers(dest="action", required=True)
    b = bsub.add_parser("realdev", help="accuracy and latency on the real dev images")
    from benchmarks.realdev import DEFAULT_ROOT, RESULTS_DIR

    b.add_argument("--root", default=str(DEFAULT_ROOT))
    b.add_argument("--out", default=str(RESULTS_DIR))
    b.add_argument("--reader", nargs="+", default=["auto"],
                   choices=["auto", "dedicated", "text-lines", "general-ocr", "agentclpr"],
                   help="one or more readers, run one after the other on the same images; with several, "
                        "realdev-comparison.md puts them side by side (agentclpr: make bench-peers)")
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--limit", type=int)
    b.set_defaults(func=_cmd_bench)

    p = sub.add_parser("train", help="train a model and write it into the catalog")
    p.add_argument("what", choices=["detector", "plate-reader", "vin-reader", "doc-type", "authenticity",
                                          "authenticity-page", "doc-text-rec", "doc-text-det"])
    p.add_argument("--config", required=True)
    p.add_argument("--threads", type=int, help="torch threads (default: all cores)")
    p.add_argument("--workers", type=int, default=2, help="data loader / data factory processes")
    p.add_argument("--stage", choices=["all", "train", "finetune", "export", "calibrate"], default="all",
                   help="synthetic training, real-dev tune fine-tuning, export (detector: validate, ONNX, int8, "
                        "catalog; readers export after each stage), or all of them (default); calibrate: the "
                        "authenticity models' thresholds set again on their calibration pages, weights unchanged")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("inspect", help="inspect a photo against a vehicle record (exit 0 match, 3 review, 4 mismatch)")
    p.add_argument("image")
    p.add_argument("--record", required=True, help="JSON file of the vehicle record (plate, vin, model, ...)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--reader", choices=["auto", "dedicated", "text-lines", "general-ocr"], default="auto")
    p.add_argument("--threads", type=int, default=2)
    p.set_defaults(func=_cmd_inspect)

    from .stream_client import build_parser as stream_parser

    p = sub.add_parser("stream", help="stream a video file to a remote inspection session",
                       parents=[stream_parser()], add_help=False)
    p.set_defaults(func=_cmd_stream)

    p = sub.add_parser("review", help="pre-review a case's documents (exit 0 pass, 3 refer, 4 needs correction)")
    p.add_argument("files", nargs="+", help="photos, scans or PDFs of the documents")
    p.add_argument("--business", help="registration | transfer | change | mortgage | replacement (or 转移登记 ...)")
    p.add_argument("--application", help="application JSON file (business, applicant, vehicle)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=_cmd_review)

    p = sub.add_parser("calibrate-authenticity",
                       help="set this office's authenticity thresholds from a folder of its genuine documents")
    p.add_argument("folder")
    p.add_argument("--target-false-alarm", type=float, default=0.01)
    p.add_argument("--out", help="thresholds file (default: the settings' authenticity calibration file)")
    p.set_defaults(func=_cmd_calibrate_authenticity)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
