"""`valider`: each kind of problem a librarian can make, found with its file and line."""

from __future__ import annotations

import re

from bot.librarian.training_data import append_examples
from bot.librarian.validation import bibliography_problems, rasa_problems, training_data_problems


def line_of(path, text: str) -> int:
    return next(
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if text in line
    )


def replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def only(problems, kind):
    found = [p for p in problems if p.kind == kind]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_the_project_data_has_no_problem(project):
    assert training_data_problems(project) == []
    assert bibliography_problems(project) == []


def test_faq_answer_without_source(project):
    faq = project / "data" / "nlu" / "faq_pairemulation.yml"
    text = faq.read_text(encoding="utf-8")
    faq.write_text(re.sub(r"\n\s*Sources : [^\n]*", "", text), encoding="utf-8")
    problem = only(training_data_problems(project), "sans_source")
    assert (problem.file.name, problem.line) == (
        "faq_pairemulation.yml",
        line_of(faq, "utter_faq/pairemulation:"),
    )
    assert "source" in problem.message and "Source :" in problem.fix


def test_intent_with_too_few_examples(project):
    faq = project / "data" / "nlu" / "faq_pairemulation.yml"
    lines = faq.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("  examples: |\n") + 1
    end = next(n for n in range(start, len(lines)) if not lines[n].startswith("    - "))
    faq.write_text("".join(lines[: start + 3] + lines[end:]), encoding="utf-8")
    problem = only(training_data_problems(project), "peu_exemples")
    assert (problem.file.name, problem.line) == ("faq_pairemulation.yml", 3)
    assert "3 exemple" in problem.message and "ajoutez-en au moins 7" in problem.fix


def test_same_example_under_two_intents(project):
    formation = project / "data" / "nlu" / "faq_formation.yml"
    append_examples(formation, "faq/formation", ["C'est quoi un GEM ?"])
    problem = only(training_data_problems(project), "doublon")
    added = "faq_formation.yml:" + str(line_of(formation, "C'est quoi un GEM ?"))
    # Reported at one line, naming the other: the first file read holds the "original".
    assert problem.where().endswith("faq_gem.yml:5") and added in problem.message
    assert "faq/formation" in problem.message and "une seule intention" in problem.fix


def test_entity_value_outside_its_vocabulary(project):
    readings = project / "data" / "nlu" / "readings.yml"
    append_examples(
        readings,
        "recommend_readings",
        [
            'des [romans]{"entity": "doc_type", "value": "roman"} sur la pair-aidance',
            "des lectures en [sociologie](theme)",
            "des [livres](doc_type) de [2019](year)",  # "livres" is a synonym of livre: fine
        ],
    )
    problems = [p for p in training_data_problems(project) if p.kind == "valeur_entite"]
    assert [(p.file.name, p.line) for p in problems] == [
        ("readings.yml", line_of(readings, "[romans]")),
        ("readings.yml", line_of(readings, "[sociologie]")),
    ]
    assert "roman" in problems[0].message and "livre" in problems[0].fix
    assert "pair_aidance" in problems[1].fix


def test_broken_link_and_doi_in_the_bibliography(project):
    references = project / "data" / "bibliography" / "references.yml"
    replace(
        references,
        "url: https://doi.org/10.3917/vsoc.191.0225",
        "url: htps//doi.org/10.3917/vsoc.191.0225",
    )
    replace(references, "doi: 10.1684/ipe.2016.1545", "doi: 1684/ipe.2016.1545")
    problems = bibliography_problems(project)
    link, doi = only(problems, "lien"), only(problems, "doi")
    assert (link.file.name, link.line) == ("references.yml", line_of(references, "url: htps//"))
    assert (
        "bonnami-2019-reconnaissance-savoirs-experientiels" in link.message
        and "https://" in link.fix
    )
    assert doi.line == line_of(references, "doi: 1684/") and "10." in doi.fix


def test_other_record_mistakes_name_their_field(project):
    references = project / "data" / "bibliography" / "references.yml"
    replace(references, "  year: 2016\n  type: article", "  year: 20166\n  type: article")
    problem = only(bibliography_problems(project), "fiche")
    assert problem.line == line_of(references, "year: 20166") and "year" in problem.message


def test_rasa_validation_is_translated_and_located(project):
    nlu = project / "data" / "nlu" / "horaires.yml"
    nlu.write_text(
        'version: "3.1"\nnlu:\n- intent: horaires\n  examples: |\n    - vous ouvrez à quelle heure\n',
        encoding="utf-8",
    )
    problems = rasa_problems(project)
    problem = next(p for p in problems if "horaires" in p.message)
    assert "n'est pas déclarée dans domain.yml" in problem.message
    assert (problem.file.name, problem.line) == ("horaires.yml", 3)
    assert all("Rasa signale" not in p.message for p in problems), [str(p) for p in problems]
