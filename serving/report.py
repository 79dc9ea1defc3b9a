"""The session report: JSON for systems, a printable HTML page for the file (evidence thumbnails inline).

A report is a draft while the session is open and final from the moment the inspector closes it: the
final JSON is stored with the session and served unchanged afterwards.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from .session_store import utcnow

if TYPE_CHECKING:
    from .sessions import LiveSession, SessionManager

THUMB_WIDTH = 320


def build_report(manager: SessionManager, session_id: str, live: LiveSession, inspector: str | None,
                 closed_at: dt.datetime | None, decision: str | None, notes: str | None) -> dict[str, Any]:
    """Blocking (database, files): call from a worker thread."""
    rows = manager.store.evidence(session_id)
    chain = manager.store.verify(session_id)
    state = manager.state_summary(live)
    current = {i["item"]: i["evidence_frame"] for i in state["checklist"]}
    evidence = []
    for row in rows:
        d = manager.evidence_dict(row)
        d["text"] = row.text
        d["path"] = row.path
        d["current"] = current.get(row.item) == row.frame_seq
        evidence.append(d)
    return {
        "session": session_id,
        "final": closed_at is not None,
        "business_type": live.business_type,
        "record": live.record.to_dict(),
        "created_at": live.created_at.isoformat(),
        "closed_at": closed_at.isoformat() if closed_at else None,
        "inspector": inspector,
        "decision": decision,
        "notes": notes,
        "generated_at": utcnow().isoformat(),
        "checklist": state["checklist"],
        "complete": state["complete"],
        "reads": state["fused"],
        "comparison": state["comparison"],
        "replay": state["replay"],
        "frames": state["frames"],
        "evidence": evidence,
        "evidence_chain": {"ok": chain.ok, "records": chain.records, "problems": list(chain.problems)},
    }


def _thumbnail(path: Any) -> str | None:
    try:
        image = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
    except OSError:
        return None
    if image is None:
        return None
    h, w = image.shape[:2]
    small = cv2.resize(image, (THUMB_WIDTH, max(1, round(h * THUMB_WIDTH / w))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else None


_CSS = """
body{font-family:"Noto Sans CJK SC",sans-serif;margin:24px;color:#111}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:20px 0 6px;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:13px} td,th{border:1px solid #bbb;padding:4px 6px;text-align:left}
.match{color:#14692b}.mismatch{color:#b00020;font-weight:bold}.needs_review{color:#a15c00}.unreadable{color:#666}
.draft{color:#b00020;font-weight:bold} figure{display:inline-block;margin:6px;vertical-align:top;font-size:11px}
figure img{width:320px;border:1px solid #999} .mono{font-family:monospace;word-break:break-all}
@media print{body{margin:10mm} figure{page-break-inside:avoid}}
"""


def render_html(report: dict[str, Any], data_dir: Any) -> str:
    """Blocking (reads evidence files for the thumbnails)."""
    e = html.escape
    status = "FINAL" if report["final"] else "DRAFT - the session is still open"
    rows_record = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in report["record"].items())
    rows_cmp = "".join(
        f"<tr><td>{e(c['field'])}</td><td>{e(c['expected'])}</td><td>{e(c['read'] or '-')}</td>"
        f"<td class='{e(c['verdict'])}'>{e(c['verdict'])}</td><td>{e('; '.join(c['reasons']))}</td></tr>"
        for c in report["comparison"])
    rows_reads = "".join(
        f"<tr><td>{e(name)}</td><td class='mono'>{e(r['text'])}</td><td>{r['confidence']:.2f}</td>"
        f"<td>{r['agreeing']}/{r['reads']}</td><td>{'yes' if r['valid'] else 'no'}</td></tr>"
        for name, r in report["reads"].items())
    rows_items = "".join(
        f"<tr><td>{e(i['item'])}</td><td>{'captured' if i['complete'] else 'missing'}</td>"
        f"<td>{i['evidence_frame'] if i['evidence_frame'] is not None else '-'}</td></tr>"
        for i in report["checklist"])
    figures = []
    for ev in report["evidence"]:
        if not ev["current"]:
            continue
        src = _thumbnail(data_dir / ev["path"])
        img = f"<img src='{src}' alt='{e(ev['item'])}'>" if src else "<p>(file missing)</p>"
        figures.append(f"<figure>{img}<figcaption>{e(ev['item'])} - frame {ev['frame_seq']} - "
                       f"{e(ev['captured_at'])}<br><span class='mono'>SHA-256 {e(ev['sha256'])}</span>"
                       "</figcaption></figure>")
    chain = report["evidence_chain"]
    chain_text = (f"verified: {chain['records']} records, every file and link intact" if chain["ok"]
                  else "BROKEN: " + "; ".join(chain["problems"]))
    replay = report["replay"]
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>Chayan inspection report {e(report['session'])}</title><style>{_CSS}</style></head><body>
<h1>Chayan 查验 - remote inspection report</h1>
<p class="{'' if report['final'] else 'draft'}">{e(status)}</p>
<p>Session <span class="mono">{e(report['session'])}</span> - {e(report['business_type'])} - opened
{e(report['created_at'])}{' - closed ' + e(report['closed_at']) if report['closed_at'] else ''}
{' by ' + e(report['inspector']) if report['inspector'] else ''}.
{('Decision: <b>' + e(report['decision']) + '</b>.') if report['decision'] else ''}
{('Notes: ' + e(report['notes'])) if report['notes'] else ''}</p>
<h2>Vehicle record</h2><table>{rows_record}</table>
<h2>Record comparison</h2><table><tr><th>field</th><th>record</th><th>read</th><th>verdict</th><th>why</th></tr>
{rows_cmp}</table>
<h2>Fused reads</h2><table><tr><th>field</th><th>text</th><th>confidence</th><th>agreeing/reads</th>
<th>valid</th></tr>{rows_reads}</table>
<h2>Checklist</h2><table><tr><th>item</th><th>status</th><th>evidence frame</th></tr>{rows_items}</table>
<h2>Evidence</h2>{''.join(figures) or '<p>no evidence captured</p>'}
<p>Evidence chain {e(chain_text)}.</p>
<p>Screen-replay check: score {replay['score']:.2f} over {replay['frames']} frames -
{'SUSPECTED: the stream may show a screen' if replay['suspected'] else 'no sign of a filmed screen'}.</p>
<p>Frames: {report['frames']['received']} received, {report['frames']['processed']} processed,
{report['frames']['skipped']} skipped, {report['frames']['read']} read. Generated {e(report['generated_at'])}.</p>
</body></html>"""

