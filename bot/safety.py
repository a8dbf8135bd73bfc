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
    r"tlm": "tout le monde",
    r"pr": "pour",
    r"ds": "dans",
    r"msg": "message",
    r"c(?! est\b)|cest": "c est",
    r"ct": "c etait",
    r"sui": "suis",
    r"mieu": "mieux",
    r"quon": "qu on",
    r"quil": "qu il",
    r"soccuper": "s occuper",
    r"vs": "vous",
    r"jpp": "j en peux plus",
    r"j(vous|serai|sers|regarde|attends|sais|pars)": r"je \1",
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
    r"\bma vie n a (?:plus |pas )?(?:aucun |de |d )?sens\b",
    r"\b(?:vie|vivre)\b.{0,20}\binsupportable\b|\bmourir serait\b|\bpense (?:qu )?a mourir\b",
    r"^(?:j ai |des |mes )*(?:idees noires|pensees suicidaires)\W*$",
    r"\b(?:pris|avale)\w* (?:toute (?:ma|la|une) boite|des cachets|mes cachets|tous mes)\b",
    r"\b(?:peur de|je vais|va|vais|envie de) faire une (?:grosse )?(?:betise|connerie)\b",
    r"\bje (?:ne )?tiens plus\b|\bvais pas tenir (?:cette nuit|ce soir|jusqu a demain)\b|\bplus la force de rien\b",
    r"\b(?:me|se|te) tirer une balle\b|\bpeur pour (?:ma|sa) vie\b|\bjusqu au sang\b|\btout est noir\b",
    r"\b(?:mon|ma) (?:conjoint|mari|femme|copain|copine|compagnon|compagne|pere|mere|ex)\b.{0,20}\b(?:me frappe|me bat|me tape)\b",
    r"\b(?:parle|parlait|parler) (?:de mourir|de la mort)\b|\b(?:a deja fait|refait) une tentative\b(?!.{0,40}\bil y a\b.{0,15}\bans\b)|\blettre a (?:mes|ses) proches\b",
    r"\b(?:aidez moi|aide moi|m aide)\b.{0,20}\b(?:tout de suite|vite|urgent|ca va pas du tout)\b",
    r"\b(?:degoute|degoutee|fatigue|fatiguee|epuise|epuisee|lasse?) de (?:la vie|ma vie|vivre|exister|tout)\b",
    r"\b(?:partir|disparaitre) pour (?:de bon|toujours)\b",
    r"\b(?:plus|aucune|pas d) (?:aucune )?issue\b",
    r"\ba quoi bon (?:vivre|continuer|me battre|rester)\b",
    r"\b(?:suis|me sens) (?:un|une) (?:fardeau|poids) pour\b",
    r"\b(?:achete|prepare|trouve) (?:une corde|des cachets|un flingue|une arme)\b",
    r"\b(?:ne (?:plus )?(?:jamais|plus) me reveiller|dormir pour toujours)\b",
    r"\b(?:que tout s arrete|que ca s arrete|que tout ca s arrete)\b",
    r"\b(?:je ne serai|je serai|serai) plus la\b",
    r"\b(?:veux|voudrais) plus etre la\b",
    r"\b(?:sauter|me jeter|se jeter) (?:par la fenetre|du pont|d un pont|sous un train|sous le metro|du haut)\b",
    r"\b(?:au bord|en haut) (?:du pont|du vide|du toit|de la falaise|d un pont)\b",
    # (farewells: in the indirect section below)
    r"\bdernieres volontes\b",
    r"\boverdose\b.{0,20}\b(?:ce soir|cette nuit|c est decide|je vais|demain)\b|\bje vais (?:faire|prendre) une overdose\b",
    r"\b(?:pris|avale|prendre|avaler) (?:plein|beaucoup|trop|toute? ?(?:la|une)? ?boite|une boite|tous|toutes)\b.{0,10}\b(?:medicaments|cachets|comprimes|pilules|somniferes)\b",
    r"\bplus envie de rien\b",
    r"\b(?:si je|quand je) (?:disparais|disparaissais|mourais|meurs|me tue)\b",
    r"\btout est fini(?:r)? pour moi\b",
    r"\b(?:couteau|arme|corde|fusil|carabine|pistolet)\b.{0,40}\b(?:pleure|enferme|menace|crie)\b|\b(?:enferme|menace)\b.{0,40}\b(?:couteau|arme|corde|fusil|carabine|pistolet)\b",
    # Indirect wordings, with no crisis word (tests/safety/indirect_distress_cases.yml). A
    # dangerous place, now, for the visitor or someone close:
    r"\b(?:je suis|suis|je me trouve|assise?|debout|il est|elle est|est)\b(?: \w+){0,4}? (?:sur|au bord|en haut|au dessus|de l autre cote|au bout)(?: \w+){0,3}? (?:toit|toits|pont|rails|voies? ferrees?|voies|rebord|parapet|rambarde|falaise|viaduc|vide|corniche)\b",
    r"\b(?:pieds|jambes) dans le vide\b|\benjambe\w* (?:le|la|les) (?:muret|rambarde|parapet|garde corps|balustrade)\b",
    r"\b(?:lacher|lache|va lacher) (?:la rambarde|le parapet|prise)\b",
    r"\b(?:au bord|bout du quai|sur les rails|sur la voie|sur les voies)\b[^?]{0,40}\b(?:train|tgv|metro|rer|camion)\b",
    r"\bj attends (?:juste )?le bon (?:camion|train|moment)\b",
    r"\b(?:rentre|entre|marche|avance)\w* dans (?:l eau|la mer|le fleuve|la riviere|le lac)\b.{0,25}\b(?:habille\w*|nuit|froid)\b|\bl eau m attire\b",
    r"\bphoto (?:prise )?(?:du haut |en haut )?(?:du|d un|de la|depuis le) (?:pont|viaduc|toit|vide|falaise)\b",
    r"\b(?:en haut|au sommet) (?:de la|du|d une|d un) (?:tour|immeuble|pont|falaise|clocher)\b|\bregarde (?:le vide|en bas)\b|\b(?:sur|assise? sur) le garde corps\b",
    r"\bau bord de (?:l eau|la riviere|la seine|la mer|la falaise)\b.{0,30}\b(?:avancer|sauter|plonger|nuit)\b",
    # a plan or the means at hand:
    r"\b(?:mis de cote|garde\w*|stocke\w*|accumule\w*|cache\w*)\b.{0,15}\b(?:tous |toutes |tout )?(?:mes|ses|les) (?:medicaments|cachets|comprimes|pilules|somniferes|anxiolytiques)\b",
    r"\btout (?:prepare\w*|prevu|calcule|organise|planifie)\b(?: pour (?:ce soir|cette nuit|demain\w*))?(?:\s*(?:$|[,.!;])| et qu on)",
    r"\bcorde\b.{0,30}\b(?:accroche\w*|prete|attachee|nouee|installee)\b|\b(?:accroche|noue)\w* (?:une|la) corde\b",
    r"\btuyau\b.{0,40}\b(?:voiture|pot d echappement|garage)\b",
    r"\bchoisi (?:la date|le jour|le moment)\b(?! (?:de|du|d|pour)\b)",
    r"\b(?:vide|vider) (?:l armoire a pharmacie|la pharmacie)\b|\balign\w* devant moi\b",
    r"\bj ai (?:les|mes|des) (?:cachets|medicaments|comprimes|somniferes)\b.{0,30}\b(?:bon moment|ce soir|cette nuit|c est decide)\b",
    r"\bavale\w* (?:toute? )?(?:la|une|ma) (?:plaquette|boite|flacon|tube)\b|\bje me sens partir\b",
    r"\bcharge\w* (?:son|mon|un|le) (?:fusil|arme|pistolet|revolver|carabine)\b",
    r"\b(?:sera|seront|est) (?:regle|fini|termine)\w* pour de bon\b|\b(?:m en vais|je pars|m en irai)\b.{0,20}\bpour (?:de bon|toujours)\b",
    r"\b(?:me|le|la) reverr\w* (?:plus|pas|jamais)\b|\b(?:ne|n) (?:m |me )?entendr\w* plus\b|\bentendr\w* plus (?:jamais )?parler de moi\b",
    r"\bplus personne (?:n )?(?:aura|n aura) a (?:me supporter|s occuper de moi)\b",
    # goodbyes, and a relative's farewell message:
    r"\b(?:garde|stocke|accumule)\w*\b.{0,10}\b(?:des |mes |les |tous mes |toutes mes )?(?:comprimes|cachets|medicaments|somniferes)\b.{0,30}\b(?:ce soir|cette nuit|les prends|prendre)\b",
    r"\bmis (?:tous |toutes )?(?:mes|les|des) (?:cachets|comprimes|medicaments) de cote\b|\b(?:j ai|il a|elle a) (?:une|la) corde\b",
    r"\bc est decide,? (?:ce sera|ce soir|cette nuit|pour ce soir)\b",
    r"\b(?:disparu|parti)\w* avec (?:ses|mes) (?:medicaments|cachets)\b|\bmedicaments ont disparu\b",
    r"^(?!.*\b(?:roman|livre|bouquin|cours|chanson|film|poeme|celebre|bd|theatre)\b).*\badieux?\b",
    r"\bjuste dire au revoir\b(?! a (?:une|un|mon|ma|mes|toute|tous|l|la|le|les) )",
    r"\b(?:mon|ma|c est le|c est la) (?:dernier|derniere) (?:message|mot|lettre)\b",
    r"\bdites? (?:a|lui)\b.{0,30}\bque je (?:l|les|la|le|vous|t) aime\b|\bce n est pas (?:sa|ta|leur|votre) faute\b",
    r"\bje (?:les|l|vous|t) aim\w*\b.{0,40}\b(?:derniere fois|adieu)\b",
    r"\bdesolee? (?:pour|de) ce que je vais faire\b|\bsi quelqu un lit (?:ca|ce message)\b",
    r"\bne me cherche(?:z)? pas\b",
    r"\b(?:c est|tout est) (?:la )?fin(?:i|ir)? pour moi\b",
    r"\bmerci pour tout\b.{0,25}\b(?:me manquer|me manke|adieu|dernier|fin)\b",
    r"\b(?:prenez|prends|prendre) soin de (?:mon|ma|mes)\b.{0,30}\b(?:je pars|je m en vais|partir|plus la|ce soir)\b",
    r"\b(?:occuper|prendre soin) de (?:ses|mes|son|mon|sa|ma) (?:enfants|chat|chien|animaux|fils|fille)\b.{0,30}\b(?:apres|plus la|raccroche|je pars)\b",
    r"\b(?:aime|aimait|aimais|pardon pour tout|adieu|bye|ne me cherche|me manquer|bonne maman|bon papa|au revoir)\b.{0,60}\b(?:raccroche|coupe son telephone|eteint|repond plus|repond pas|injoignable|n est pas rentree?|depuis plus rien|plus de nouvelles|a disparu)\b",
    r"\b(?:laisse|ecrit|envoye)\w* un (?:mot|message|lettre)\b.{0,40}\b(?:desolee?|pardon|je vous aime|je t aime|adieu)\b",
    r"\bc etait bien de vous connaitre\b|\bphoto de profil en noir\b|\bne (?:sois|soyez) pas tristes?\b",
    r"\b(?:derniere fois|plus jamais)\b.{0,30}\bde mes nouvelles\b|\b(?:n aurez|aurez) plus (?:jamais )?de mes nouvelles\b",
    r"\bmerci pour tout\b.{0,10}\bpardon\b|\bpardon pour tout\b",
    r"\b(?:prendre soin|s occuper|m occuper) (?:des|de ses|de mes|de mon|de ma) \w+ apres (?:elle|lui|moi)\b",
    # giving things away, putting one's affairs in order:
    r"\b(?:en|n en) aur(?:ai|a|ait|ais|ions) plus besoin\b|\bne me servira plus\b|\bla ou je vais\b",
    r"\b(?:redige|fait|ecrit|prepare)\w* (?:mon|son) testament\b|\b(?:regle|organise|prepare)\w* (?:ses|mes) obseques\b",
    r"\b(?:confie|donne|laisse|file)\w* (?:mon|ma|mes) \w+\b.{0,25}\bpour (?:toujours|de bon)\b",
    r"\b(?:codes|papiers|comptes)\b.{0,50}\bapres (?:moi|nous)\b|\ba qui revient (?:chaque|chacun|mes)\b",
    r"\bpartir tranquille\b",
    # "everyone would be better off without me", "soon I will not be a bother":
    r"\bbientot\b.{0,30}\b(?:ne sera plus un probleme|derangerai plus|plus la)\b",
    r"\b(?:ce|ca|tout) sera bientot (?:termine|fini|regle)\b|\bbientot (?:ca|sa|tout) (?:sera|ne sera) (?:regle|fini|termine|plus un probleme)\b",
    r"\bapres (?:ce soir|cette nuit|demain)\b.{0,15}\b(?:ne pourrai plus|serai plus|plus la)\b",
    r"\bsi je (?:n )?etais plus la\b|\bplus tranquilles? sans moi\b|\b(?:serez|seront|serait) (?:enfin )?debarrasses?\b",
    r"\b(?:derangerai|generai|embeterai) plus\b|\bne vous inquietez plus pour moi\b",
    r"\bplus a (?:vous |s |t )?(?:occuper|inquieter) de moi\b|\b(?:aura|auront|aurez) (?:plus )?a me supporter\b",
    r"\b(?:poserai|causerai) plus (?:de |d )?(?:probleme|souci|soucis)\b",
    # Self-harm.
    r"\b(?:me|m|se|s) (?:suis|est) (?:encore )?(?:coupe|brule|taillade|mutile|scarifie|fait du mal)e?s?\b",
    r"\b(?:taillade|tailladee|taillader|brule(?:e)? expres)\b",
    rf"\b{_SELF}\b.{{0,20}}\b(?:scarifie|scarifier|mutile|mutiler|coupe|couper|coupee|brule|bruler|fais du mal|faire du mal)\b",
    r"\b(?:scarification|automutilation|auto mutilation)s?\b.{0,20}\b(?:je|j|me|encore|recommence)\b",
    r"\bje (?:me )?(?:suis |me )?(?:scarifie|mutile)e?s?\b",
    # Exhaustion phrased as the end of one's tether.
    r"\bn? ?en peux plus(?:\s*(?:$|[,.!?;]|de (?:vivre|tout|cette vie|la vie|moi|souffrir)|je|j ai|j en))",
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
    rf"\b{_SOMEONE}\b.{{0,40}}\b(?:veux|voudrait|parle de|menace de|pense a|va|a envie de|dit vouloir)\b.{{0,15}}\b(?:mourir|se suicider|se tuer|en finir|se foutre en l air|passer a l acte|disparaitre|sauter|se faire du mal|se tirer une balle)\b",
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
