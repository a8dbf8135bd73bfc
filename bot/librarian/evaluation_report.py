"""`python -m bot evaluer --format html`: the held-out evaluation as a page a librarian can open.

The scoring is bot/evaluation.py's; this adds the HTML form of its Markdown report: the figures,
the confusion-matrix picture (embedded), and every misclassified question with what was expected.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from bot.evaluation import EvaluationReport, Prediction, draw_confusion_matrix, write_report
from bot.librarian.statistics import intent_label


def write_html_report(
    report: EvaluationReport, predictions: list[Prediction], out_dir: Path
) -> Path:
    """rapport.html beside rapport.md (written too, with the JSON figures and the picture)."""
    write_report(report, predictions, out_dir)
    picture = out_dir / "confusion.png"
    if not picture.exists():
        draw_confusion_matrix(predictions, picture)
    image = base64.b64encode(picture.read_bytes()).decode("ascii")
    rows = "".join(
        f"<tr><td>{html.escape(p.text)}</td><td>{html.escape(intent_label(p.expected))}<br><code>{html.escape(p.expected)}</code></td>"
        f"<td>{html.escape(intent_label(p.predicted))}<br><code>{html.escape(p.predicted)}</code></td>"
        f"<td class='n'>{p.confidence:.2f}</td></tr>"
        for p in sorted(report.errors, key=lambda p: (p.expected, -p.confidence))
    )
    page = f"""<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>Évaluation de l'assistant</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; }}
pre {{ background: #f3f6fa; padding: 1rem; }} img {{ max-width: 100%; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
td.n {{ text-align: right; }}
</style></head>
<body>
<h1>Évaluation sur le jeu de test</h1>
<p>Questions écrites à part, jamais vues à l'entraînement : ce score dit comment l'assistant comprend des
questions nouvelles. Une question mal classée se corrige en ajoutant des exemples proches sous la bonne
intention (voir docs/bibliothecaires.md).</p>
<pre>{html.escape(report.summary_fr())}</pre>
<h2>Matrice de confusion</h2>
<p>Ligne : l'intention attendue ; colonne : celle que le modèle a choisie. Tout ce qui sort de la diagonale est une erreur.</p>
<img alt="Matrice de confusion des intentions" src="data:image/png;base64,{image}">
<h2>Questions mal classées ({len(report.errors)})</h2>
<table><thead><tr><th>question</th><th>attendu</th><th>compris</th><th>confiance</th></tr></thead>
<tbody>{rows}</tbody></table>
</body></html>
"""
    path = out_dir / "rapport.html"
    path.write_text(page, encoding="utf-8")
    return path
