"""Recognise a visitor in distress from the words of the message, whatever the classifier says.

The classifier can be unsure or wrong about a message it has never seen; a person who writes
that they want to die must get the crisis lines all the same. This rule backs the `detresse`
intent up: it looks for first-person (or close-relation) wordings of suicide, self-harm, danger
and crisis, after folding accents, case, SMS spellings and repeated letters. Mentions of the same
topics as a subject of study ("un livre sur la prévention du suicide") are not wordings of
distress, so they do not match.
"""
from __future__ import annotations

import re
import unicodedata

DISTRESS_INTENT = "detresse"

# SMS and phonetic spellings, folded before matching (applied on word boundaries).
_SPELLINGS = {
    r"j ?veu[xt]?": "je veux",
    r"j ?ve": "je veux",
    r"jsui[s]?|chui[s]?|jsuis|j suis|chu": "je suis",
    r"jpe[ux]?|jpeu[xt]?": "je peux",
    r"jen": "j en",
    r"jai|g": "j ai",
    r"jme|j me": "je me",
    r"jvai[s]?|jvé|jve": "je vais",
    r"ve[ux]?|veu[xt]": "veux",
    r"plu[s]?": "plus",
    r"mourrir|mourire|mourir|mouri": "mourir",
    r"tt|tou": "tout",
    r"pa": "pas",
    r"peu[xt]?": "peux",
    r"envi": "envie",
    r"vivr|vivre": "vivre",
    r"fini[r]?|finire": "finir",
    r"ts": "tentative de suicide",
    r"qq1|qqn": "quelqu un",
}

_SELF = r"(?:je|j|me|m|moi)"
_CLOSE = (
    r"(?:mon|ma|mes|notre|nos)\s+(?:\w+\s+){0,2}?"
    r"(?:fils|fille|frere|soeur|pere|mere|papa|maman|ami|amie|copain|copine|pote|mari|femme|"
    r"conjoint|conjointe|compagnon|compagne|enfant|ado|coloc|collegue|voisin|voisine|cousin|"
    r"cousine|oncle|tante|grand\w*|proche|patient|patiente)"
)
_SOMEONE = rf"(?:{_CLOSE}|quelqu un|il|elle|une personne|un proche)"

_PATTERNS = [
    # Wanting to die, to end one's life.
    rf"\b{_SELF}\b.{{0,40}}\b(?:envie|besoin|veux|voudrais|vais|prefere|pense a|songe a)\b.{{0,20}}\b(?:mourir|crever|disparaitre|partir pour toujours)\b",
    r"\b(?:envie|veux|voudrais|vais|aimerais) (?:de )?(?:mourir|crever|disparaitre)\b",
    r"\b(?:mettre|mette) fin a (?:mes|ma|ses|sa) (?:jours|vie)\b",
    r"\ben finir\b(?! avec (?:ma|mon|mes|la|le|les|cette|ce|ces|un|une|l) (?!vie\b|tout\b|moi\b|existence\b|souffrance\b)\w)",
    r"\b(?:me|se|te) (?:suicider|tuer|foutre en l air|jeter sous|pendre|flinguer|supprimer|defenestrer)\b",
    r"\bfoutre en l air\b",
    r"\b(?:plus|pas) (?:envie|la force|le courage|de raison) de (?:vivre|continuer|me battre|me lever)\b",
    r"\b(?:veux|peux|sais|vois) (?:plus|pas) (?:vivre|continuer)\b",
    r"\bje (?:ne )?(?:veux|peux) plus vivre\b",
    r"\b(?:j ai|je fais|j en ai|j avais|trop d|plein d|encore des|toujours des|que des|mes|ses)\b.{0,12}\bidees? (?:noires|suicidaires|de suicide|de mort)\b",
    r"\bidees? (?:noires|suicidaires)\b.{0,20}\b(?:en ce moment|depuis|tout le temps|tous les jours|ce soir|encore)\b",
    r"\b(?:pense|pensee|pensees|penser) (?:au|a me|au) (?:suicide|suicider)\b",
    r"\b(?:je|j|il|elle)\b.{0,30}\b(?:suicidaire|suicidaires)\b",
    r"\b(?:fait|faire|refaire|refait) une tentative de suicide\b(?!.{0,15}\bil y a\b.{0,15}\bans\b)",
    r"\btentative de suicide (?:hier|ce matin|cette nuit|ce soir|aujourd hui|la semaine derniere)\b",
    r"\b(?:envie|peur) de (?:recommencer|refaire une tentative)\b",
    r"\bpasser a l acte\b",
    r"\b(?:tout arreter|tout lacher|tout quitter) (?:ce soir|cette nuit|maintenant|demain|pour de bon)\b",
    r"\bje vais (?:tout arreter|sauter|me jeter|avaler|prendre toutes? (?:mes|les) (?:cachets|medicaments|pilules))\b",
    r"\b(?:avale|avaler|pris|prendre) (?:tous|toutes|une boite de) (?:mes |les |des )?(?:cachets|medicaments|comprimes|pilules)\b",
    r"\bpersonne ne (?:me regretterait|me regrettera|remarquerait)\b",
    r"\b(?:mieux|mieux vaut) (?:sans moi|que je meure|que je disparaisse|mort)\b",
    r"\bserai(?:t|s)? mieux mort\b",
    r"\b(?:plus de raison|aucune raison) de vivre\b",
    r"\ben ai marre de (?:la vie|vivre|tout)\b",
    r"\bmarre de (?:la vie|vivre)\b",
    r"\b(?:supporte|supporter|supportais) plus (?:la vie|ma vie|de vivre|d exister|rien|personne|moi meme)\b",
    r"\bma vie n a (?:plus|aucun|pas) (?:de |d )?sens\b",
    r"\b(?:degoute|degoutee|fatigue|fatiguee|epuise|epuisee|lasse?) de (?:la vie|ma vie|vivre|exister)\b",
    r"\b(?:partir|disparaitre) pour (?:de bon|toujours)\b",
    r"\b(?:plus|aucune|pas d) (?:aucune )?issue\b",
    r"\ba quoi bon (?:vivre|continuer|me battre|rester)\b",
    r"\b(?:suis|me sens) (?:un|une) (?:fardeau|poids) pour\b",
    r"\b(?:achete|prepare|trouve) (?:une corde|des cachets|un flingue|une arme)\b",
    r"\b(?:ne (?:jamais|plus) me reveiller|dormir pour toujours)\b",
    r"\b(?:que tout s arrete|que ca s arrete|que tout ca s arrete)\b",
    r"\b(?:je ne serai|je serai|serai) plus la\b",
    r"\b(?:veux|voudrais) plus etre la\b",
    r"\b(?:sauter|me jeter|se jeter) (?:par la fenetre|du pont|d un pont|sous un train|sous le metro|du haut)\b",
    r"\b(?:au bord|en haut) (?:du pont|du vide|du toit|de la falaise|d un pont)\b",
    r"\b(?:message|lettre|mot) d adieu\b",
    r"\bdernieres volontes\b",
    r"\boverdose\b.{0,20}\b(?:ce soir|cette nuit|c est decide|je vais|demain)\b|\bje vais (?:faire|prendre) une overdose\b",
    r"\b(?:pris|avale|prendre|avaler) (?:plein|beaucoup|trop|toute? ?(?:la|une)? ?boite|une boite|tous|toutes)\b.{0,10}\b(?:medicaments|cachets|comprimes|pilules|somniferes)\b",
    r"\bplus envie de rien\b",
    r"\b(?:si je|quand je) (?:disparais|disparaissais|mourais|meurs|me tue)\b",
    r"\btout est fini(?:r)? pour moi\b",
    r"\b(?:couteau|arme|corde)\b.{0,40}\b(?:pleure|enferme|menace|crie)\b|\b(?:enferme|menace)\b.{0,40}\b(?:couteau|arme|corde)\b",
    # Self-harm.
    r"\b(?:me|m|se|s) (?:suis|est) (?:encore )?(?:coupe|brule|taillade|mutile|scarifie|fait du mal)e?s?\b",
    r"\b(?:taillade|tailladee|taillader|brule(?:e)? expres)\b",
    rf"\b{_SELF}\b.{{0,20}}\b(?:scarifie|scarifier|mutile|mutiler|coupe|couper|coupee|brule|bruler|fais du mal|faire du mal)\b",
    r"\b(?:scarification|automutilation|auto mutilation)s?\b.{0,20}\b(?:je|j|me|encore|recommence)\b",
    r"\bje (?:me )?(?:suis |me )?(?:scarifie|mutile)e?s?\b",
    # Exhaustion phrased as the end of one's tether.
    r"\bn? ?en peux plus(?:\s*(?:$|[,.!?;]|de (?:vivre|tout|cette vie|la vie|moi)|je|j ai|j en))",
    r"\b(?:suis|sens) (?:a bout(?! de souffle)|au bout du rouleau|completement perdu|en train de craquer)\b",
    r"\bje craque\b",
    # Danger and crisis, first person or someone close.
    rf"\b{_SELF}\b.{{0,25}}\b(?:suis|sens|me sens) en (?:danger|crise|detresse)\b",
    r"\b(?:suis|est|sommes) en (?:danger|detresse)\b",
    r"\ben pleine crise\b",
    r"\bcrise (?:d angoisse|de panique|d angoisses)\b.{0,30}\b(?:maintenant|en ce moment|la|je|j|aidez|aide)\b",
    r"\b(?:je|j)\b.{0,20}\bcrise (?:d angoisse|de panique)\b",
    r"\bau secours\b",
    r"\baidez ?moi\b.{0,40}\b(?:mourir|vivre|peux plus|en danger|crise|mal|suicid\w*|detresse)\b",
    rf"\b{_SOMEONE}\b.{{0,40}}\b(?:veux|voudrait|parle de|menace de|pense a|va|a envie de|dit vouloir)\b.{{0,15}}\b(?:mourir|se suicider|se tuer|en finir|se foutre en l air|passer a l acte|disparaitre|sauter)\b",
    rf"\b{_SOMEONE}\b.{{0,40}}\b(?:a fait|vient de faire|a tente|a essaye) (?:une tentative|de se suicider|de se tuer|de mettre fin)\b",
    rf"\b{_SOMEONE}\b.{{0,30}}\b(?:se scarifie|se mutile|se coupe|se fait du mal)\b",
]
_COMPILED = [re.compile(pattern) for pattern in _PATTERNS]
_SPELLING_RULES = [(re.compile(rf"\b(?:{k})\b"), v) for k, v in _SPELLINGS.items()]


def normalize(text: str) -> str:
    """Fold a message to lowercase ASCII words separated by single spaces.

    Punctuation that ends a clause is kept (",.!?;"), since "je n'en peux plus." and
    "je n'en peux plus d'attendre" differ only by what follows.
    """
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"[’'`´\-_/]", " ", text)
    text = re.sub(r"[^a-z0-9,.!?; ]+", " ", text)
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)  # "mourirrrr" -> "mourir"
    text = re.sub(r"\s+", " ", text).strip()
    for pattern, replacement in _SPELLING_RULES:
        text = pattern.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()


def is_distress(text: str) -> bool:
    """True when the message reads as a person in danger, in crisis or wanting to die."""
    folded = normalize(text)
    return any(pattern.search(folded) for pattern in _COMPILED)
