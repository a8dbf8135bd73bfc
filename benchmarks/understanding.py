"""Understanding: our French pipeline against what a team would build instead, on the same data.

Three systems learn from the same examples (data/nlu/) and answer the same held-out questions,
scored by bot/evaluation.py: the frozen set (tests/nlu/frozen/, written apart from the training
data and sharing no sentence with it), whose figures the README reports, and the older
tests/nlu/heldout.yml, kept as a regression set:
- ours: the model of config.yml, as `make run` serves it (trained once by bot/training.py,
  which keeps its training time; that time includes the dialogue policies);
- Rasa's default: the pipeline `rasa init` writes, without spaCy (benchmarks/configs/),
  trained NLU-only;
- TF-IDF: word and character TF-IDF with a logistic regression (scikit-learn), declining to
  answer under the same rule as Rasa's default fallback (confidence under 0.3, or the two best
  less than 0.1 apart).

With --folds K, ours and TF-IDF are also scored in K-fold cross-validation on the training
examples (stratified by intent, fixed shuffle), so that a tuning that only fits the held-out
set shows. In each fold ours is trained without its entity-only components (DIET with
`intent_classification: false`, the synonym mapper): they take no part in choosing the intent,
so the intents are those of the whole pipeline, for a fraction of the training time. Rasa's
default pipeline joins the cross-validation with --cv-rasa-default (K trainings of DIET and a
ResponseSelector: about two hours on a 2-core machine).

Last, ours is replayed under other fallback rules (OPERATING_POINTS), on the held-out set and
in cross-validation: the baselines answer at different points of the trade-off between falling
back too often (out-of-scope precision) and answering wrongly with confidence, and this table
shows what each point would cost ours.

Rasa models of the benchmark are kept under models/bench/ with their training time, named after
a hash of configuration and data: a second run reuses them unless --retrain.

    .venv/bin/python benchmarks/understanding.py [--folds 5] [--cv-rasa-default] [--retrain]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.reporting import (  # noqa: E402
    decimal,
    markdown_table,
    percent,
    run_header,
    save,
)
from bot.evaluation import (  # noqa: E402
    FALLBACK,
    FROZEN_SET,
    HELDOUT_FILE,
    EvaluationReport,
    Prediction,
    load_heldout,
    predict,
    score,
)
from bot import training  # noqa: E402
from bot.settings import MODELS_DIR, PROJECT_ROOT, service_environment  # noqa: E402

NLU_DATA = PROJECT_ROOT / "data" / "nlu"
OUR_CONFIG = PROJECT_ROOT / "config.yml"
RASA_DEFAULT_CONFIG = PROJECT_ROOT / "benchmarks" / "configs" / "rasa-default.yml"
BENCH_MODELS = MODELS_DIR / "bench"
# rasa init's FallbackClassifier, applied to the TF-IDF baseline too.
BASELINE_THRESHOLD, BASELINE_AMBIGUITY = 0.3, 0.1
RANKING_LENGTH = 10  # as many guesses as Rasa's intent ranking keeps
HEADERS = ("système", "exactitude", "dans le sujet", "F1 macro", "hors sujet : rappel",
           "hors sujet : précision", "erreurs avec assurance", "bonne réponse parmi les boutons",
           "entraînement (s)")

Examples = list[tuple[str, str]]


@dataclass
class Result:
    system: str
    report: EvaluationReport
    training_seconds: float
    predictions: list[Prediction] = field(default_factory=list, repr=False)

    def figures(self) -> dict:
        report = {k: v for k, v in asdict(self.report).items() if k not in {"errors", "report_path"}}
        return {"system": self.system, "training_seconds": round(self.training_seconds, 1), **report}


# --- the systems --------------------------------------------------------------------------

def _fingerprint(config: Path, nlu: Path) -> str:
    """Configuration, data, and the code of our components when the configuration uses them."""
    settings = config.read_bytes()
    digest = hashlib.sha256(settings)
    files = sorted(nlu.rglob("*.yml")) if nlu.is_dir() else [nlu]
    if b"components." in settings:
        files += sorted((PROJECT_ROOT / "components").glob("*.py"))
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train_rasa_nlu(config: Path, nlu: Path, retrain: bool = False) -> tuple[Path, float]:
    """An NLU-only Rasa model of `config` on `nlu`, and the seconds its training took."""
    name = f"{config.stem}-{_fingerprint(config, nlu)}"
    model, timing = BENCH_MODELS / f"{name}.tar.gz", BENCH_MODELS / f"{name}.json"
    if model.exists() and timing.exists() and not retrain:
        return model, json.loads(timing.read_text())["training_seconds"]
    BENCH_MODELS.mkdir(parents=True, exist_ok=True)
    log = BENCH_MODELS / f"{name}.log"
    print(f"  entraînement de {config.name} sur {nlu.name} (journal : {log})…", flush=True)
    command = [sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config),
               "--nlu", str(nlu), "--out", str(BENCH_MODELS), "--fixed-model-name", name]
    started = time.monotonic()
    # Without Rasa's training cache (.rasa/cache), which would make a second training look free.
    env = {**service_environment(), "RASA_MAX_CACHE_SIZE": "0"}
    with log.open("w") as output:
        subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, stdout=output, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    timing.write_text(json.dumps({"training_seconds": seconds}))
    print(f"  … {seconds:.0f} s", flush=True)
    return model, seconds


def rasa_system(config: Path, retrain: bool) -> Callable[[Path, Examples], tuple[list[Prediction], float]]:
    def run(nlu: Path, test: Examples) -> tuple[list[Prediction], float]:
        model, seconds = train_rasa_nlu(config, nlu, retrain)
        return predict(model, test), seconds
    return run


def served_model_system(nlu: Path, test: Examples) -> tuple[list[Prediction], float]:
    """The model `make run` serves: trained on data/nlu (and the stories) if it is not yet."""
    assert nlu == NLU_DATA, "the served model learns from data/nlu only"
    model = training.train()
    return predict(model, test), training.training_seconds(model) or float("nan")


def intent_only_config(config: Path) -> Path:
    """`config` without the components that only find entities, for cross-validation."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["pipeline"] = [
        component for component in settings["pipeline"]
        if not (component["name"] == "DIETClassifier" and component.get("intent_classification") is False)
        and component["name"] != "EntitySynonymMapper"
    ]
    settings["policies"] = []
    BENCH_MODELS.mkdir(parents=True, exist_ok=True)
    derived = BENCH_MODELS / f"{config.stem}-intentions.yml"
    derived.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return derived


def tfidf_system(nlu: Path, test: Examples) -> tuple[list[Prediction], float]:
    """Word 1–2-grams and character 2–5-grams, accents folded, and a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    texts, labels = zip(*training_examples(nlu))
    started = time.monotonic()
    features = FeatureUnion([
        ("words", TfidfVectorizer(strip_accents="unicode", ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(strip_accents="unicode", analyzer="char_wb", ngram_range=(2, 5),
                                  sublinear_tf=True)),
    ])
    classifier = make_pipeline(features, LogisticRegression(C=10, max_iter=5000))
    classifier.fit(texts, labels)
    seconds = time.monotonic() - started
    predictions = []
    for (text, expected), probabilities in zip(test, classifier.predict_proba([t for t, _ in test])):
        order = (-probabilities).argsort(kind="stable")[:RANKING_LENGTH]
        ranking = tuple((str(classifier.classes_[i]), float(probabilities[i])) for i in order)
        predictions.append(Prediction(text, expected, ranking[0][0], ranking[0][1], ranking))
    return under_fallback_rule(predictions, BASELINE_THRESHOLD, BASELINE_AMBIGUITY), seconds


# --- data ---------------------------------------------------------------------------------

def _load(nlu: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(nlu))


def training_examples(nlu: Path) -> Examples:
    """(text, label) of every training example; FAQ labels are the family (`faq/gem`)."""
    return [(m.get("text"), m.get("intent_response_key") or m.get("intent"))
            for m in _load(nlu).intent_examples]


def write_folds(folds: int, directory: Path) -> list[tuple[Path, Examples]]:
    """K (training file, test examples) pairs: stratified by label, with a fixed shuffle."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = _load(NLU_DATA)
    messages = data.intent_examples
    labels = [m.get("intent_response_key") or m.get("intent") for m in messages]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=1)
    pairs = []
    for number, (train_index, test_index) in enumerate(splitter.split(messages, labels), start=1):
        fold = TrainingData(
            training_examples=[messages[i] for i in train_index],
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
            responses=data.responses,
        )
        path = directory / f"fold-{number}-of-{folds}.yml"
        path.write_text(RasaYAMLWriter().dumps(fold), encoding="utf-8")
        pairs.append((path, [(messages[i].get("text"), labels[i]) for i in test_index]))
    return pairs


# --- runs ---------------------------------------------------------------------------------

OURS, RASA_DEFAULT, TFIDF = ("notre pipeline (config.yml)", "Rasa par défaut, sans spaCy",
                             "TF-IDF + régression logistique")


def heldout_systems(retrain: bool) -> dict[str, Callable]:
    return {OURS: served_model_system, RASA_DEFAULT: rasa_system(RASA_DEFAULT_CONFIG, retrain),
            TFIDF: tfidf_system}


def cross_validation_systems(retrain: bool, with_rasa_default: bool) -> dict[str, Callable]:
    chosen = {OURS: rasa_system(intent_only_config(OUR_CONFIG), retrain)}
    if with_rasa_default:
        chosen[RASA_DEFAULT] = rasa_system(RASA_DEFAULT_CONFIG, retrain)
    chosen[TFIDF] = tfidf_system
    return chosen


def on_heldout(chosen: dict[str, Callable], test_set: Path) -> list[Result]:
    test = load_heldout(test_set)
    results = []
    for name, run in chosen.items():
        print(f"{test_set.name} — {name}", flush=True)
        predictions, seconds = run(NLU_DATA, test)
        results.append(Result(name, score(predictions), seconds, predictions))
    return results


def in_cross_validation(chosen: dict[str, Callable], folds: int) -> dict[str, list[Result]]:
    results: dict[str, list[Result]] = {name: [] for name in chosen}
    with tempfile.TemporaryDirectory(prefix="folds-") as directory:
        for number, (train_file, test) in enumerate(write_folds(folds, Path(directory)), start=1):
            for name, run in chosen.items():
                print(f"Validation croisée, pli {number}/{folds} — {name}", flush=True)
                predictions, seconds = run(train_file, test)
                results[name].append(Result(name, score(predictions), seconds, predictions))
    return results


def heldout_table(results: Sequence[Result]) -> str:
    return markdown_table(HEADERS, [
        (r.system, percent(r.report.accuracy), percent(r.report.in_scope_accuracy),
         decimal(r.report.macro_f1), percent(r.report.out_of_scope_recall),
         percent(r.report.out_of_scope_precision), f"{r.report.confident_errors} / {r.report.examples}",
         f"{percent(r.report.buttons_hit_rate)} de {r.report.buttons_questions}", f"{r.training_seconds:.0f}")
        for r in results
    ])


def _mean_sd(values: Sequence[float], show: Callable[[float], str]) -> str:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{show(statistics.mean(values))} ± {show(spread)}"


def cross_validation_table(results: dict[str, list[Result]]) -> str:
    rows = []
    for name, folds in results.items():
        reports = [r.report for r in folds]
        rows.append((
            name,
            _mean_sd([r.accuracy for r in reports], percent),
            _mean_sd([r.in_scope_accuracy for r in reports], percent),
            _mean_sd([r.macro_f1 for r in reports], decimal),
            _mean_sd([r.out_of_scope_recall for r in reports], percent),
            _mean_sd([r.out_of_scope_precision for r in reports], percent),
            f"{sum(r.confident_errors for r in reports)} / {sum(r.examples for r in reports)}",
            _mean_sd([r.buttons_hit_rate for r in reports], percent),
            f"{statistics.mean(r.training_seconds for r in folds):.0f}",
        ))
    return markdown_table(HEADERS, rows)


# --- our pipeline at other fallback thresholds ----------------------------------------------

# (confidence threshold, ambiguity margin): rasa init's rule, ours, and the settings around them.
OPERATING_POINTS = [(threshold, margin)
                    for threshold in (0.2, 0.3, 0.4, 0.5) for margin in (0.0, 0.1, 0.2)]


def under_fallback_rule(predictions: Sequence[Prediction], threshold: float,
                        margin: float) -> list[Prediction]:
    """The answers ours would give with another FallbackClassifier: under `threshold`, or with
    its two best guesses less than `margin` apart, it declines."""
    replayed = []
    for prediction in predictions:
        if len(prediction.ranking) < 2:
            replayed.append(prediction)
            continue
        (best, confidence), (_, second) = prediction.ranking[:2]
        declines = confidence < threshold or confidence - second < margin
        replayed.append(replace(prediction, predicted=FALLBACK if declines else best))
    return replayed


def operating_points(sets: dict[str, Sequence[Prediction]]) -> list[dict]:
    """Ours on each set of predictions at each operating point: what a precision bought by
    answering more often costs in confident errors."""
    points = []
    for threshold, margin in OPERATING_POINTS:
        reports = {name: score(under_fallback_rule(predictions, threshold, margin))
                   for name, predictions in sets.items()}
        points.append({"threshold": threshold, "margin": margin, **{
            name: {"accuracy": r.accuracy, "out_of_scope_recall": r.out_of_scope_recall,
                   "out_of_scope_precision": r.out_of_scope_precision,
                   "confident_errors": r.confident_errors, "examples": r.examples}
            for name, r in reports.items()}})
    return points


def operating_points_table(points: list[dict], set_names: Sequence[str]) -> str:
    headers = ["seuil", "écart"]
    for name in set_names:
        headers += [f"{name} : exactitude", "rappel hors sujet", "précision hors sujet",
                    "erreurs avec assurance"]
    rows = []
    for point in points:
        row = [decimal(point["threshold"], 1), decimal(point["margin"], 1)]
        for name in set_names:
            figures = point[name]
            row += [percent(figures["accuracy"]), percent(figures["out_of_scope_recall"]),
                    percent(figures["out_of_scope_precision"]), str(figures["confident_errors"])]
        rows.append(row)
    return markdown_table(headers, rows)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=0, help="validation croisée en K plis (0 : aucune)")
    parser.add_argument("--retrain", action="store_true", help="réentraîner les modèles gardés sous models/bench/")
    parser.add_argument("--cv-rasa-default", action="store_true",
                        help="valider aussi le pipeline par défaut de Rasa (long : K entraînements)")
    args = parser.parse_args(argv)

    header = run_header()
    systems = heldout_systems(args.retrain)
    frozen = on_heldout(systems, FROZEN_SET)
    heldout = on_heldout(systems, HELDOUT_FILE)
    markdown = (f"## Compréhension — jeu figé ({frozen[0].report.examples} questions)\n\n"
                f"{header['date']}, {header['machine']}\n\n{heldout_table(frozen)}\n\n"
                f"## Ancien jeu de test, pour la non-régression ({heldout[0].report.examples} questions)"
                f"\n\n{heldout_table(heldout)}")
    figures = {**header, "frozen": [r.figures() for r in frozen], "heldout": [r.figures() for r in heldout]}
    if args.folds > 1:
        folds = in_cross_validation(cross_validation_systems(args.retrain, args.cv_rasa_default), args.folds)
        markdown += (f"\n\n## Compréhension — validation croisée en {args.folds} plis sur les "
                     f"exemples d'entraînement (moyenne ± écart-type)\n\n{cross_validation_table(folds)}")
        figures["cross_validation"] = {name: [r.figures() for r in runs] for name, runs in folds.items()}
    sets = {"jeu figé": next(r.predictions for r in frozen if r.system == OURS)}
    if args.folds > 1:
        sets["validation croisée"] = [p for run in folds[OURS] for p in run.predictions]
    figures["operating_points"] = operating_points(sets)
    markdown += ("\n\n## Notre pipeline sous d'autres règles de repli (confiance sous le seuil, "
                 "ou deux meilleures réponses à moins de l'écart)\n\n"
                 + operating_points_table(figures["operating_points"], list(sets)))
    path = save("understanding", figures, markdown)
    print(f"\n{markdown}\n\nChiffres : {path}", flush=True)


if __name__ == "__main__":
    main()
