"""The hard scenario's fixed facts: its clock, its people, its sites and its texts.

A different world from the demo's Ostervale: Vellmar, a bilingual (French/German)
border town, the journalist Élise Marchetti, and a crowd of ordinary accounts in three
languages. Everything is fictional; every domain is under the reserved ``.example`` TLD.
"""

from __future__ import annotations

from datetime import datetime, timezone

T0 = int(datetime(2026, 5, 4, tzinfo=timezone.utc).timestamp())
DAY = 86400
HOUR = 3600
DAYS = 60

TARGET_NAME = "Élise Marchetti"
TARGET_HANDLE = "elisemarchetti"
TARGET_BIO = "Journaliste au Vellmar Courier. Enquêtes locales, justice, logement. DM ouverts."
TARGET_FACE = 5001
GROUP_TARGET = "Vellmar Refugee Network"
GROUP_HANDLE = "vellmar_refugees"

# The local hour (UTC+2 in May and June) at which ordinary people post: weights per hour.
HOUR_WEIGHTS = [2, 1, 0.5, 0.3, 0.3, 0.5, 2, 5, 7, 6, 5, 5, 7, 6, 5, 5, 5, 6, 7, 9, 10, 9, 7, 4]
LOCAL_OFFSET = 2 * HOUR

FIRST = ["lucas", "emma", "jonas", "lea", "hugo", "chloe", "felix", "manon", "paul", "clara", "noah", "ines",
         "lukas", "sarah", "louis", "julia", "max", "camille", "tom", "nina", "leon", "alice", "ben", "zoe",
         "jan", "lisa", "theo", "anna", "malo", "eva", "niklas", "jade", "finn", "marie", "arthur", "mila",
         "elias", "laura", "gabriel", "sophie", "david", "hanna", "remi", "lena", "yann", "maud", "oskar",
         "amelie", "victor", "greta", "sam", "olivia", "adam", "frieda", "bastien", "katrin", "mehdi", "aylin"]
LAST = ["muller", "schmidt", "martin", "bernard", "weber", "dubois", "fischer", "moreau", "wagner", "laurent",
        "becker", "simon", "hoffmann", "michel", "schulz", "lefevre", "koch", "roux", "richter", "fournier",
        "klein", "girard", "wolf", "bonnet", "neumann", "dupont", "schwarz", "lambert", "braun", "fontaine",
        "zimmer", "rousseau", "kruger", "blanc", "hartmann", "guerin", "lange", "faure", "werner", "andre"]
WORDS = ["river", "fox", "pine", "stone", "bridge", "lynx", "oak", "crow", "hill", "mill", "moss", "iron",
         "vale", "north", "ember", "frost", "birch", "reed", "hawk", "amber"]

BIOS = {
    "en": ["", "Coffee first.", "Teacher. Runner. Tired.", "Nurse on night shifts.", "Photos of the Rhine valley.",
           "Cycling, cooking, complaining about trains.", "Student, Vellmar uni.", "Software, hiking, cats.",
           "Dad of two. Football on Sundays.", "Reading everything.", "Retired. Garden and grandchildren."],
    "fr": ["", "Prof de maths.", "Café, vélo, Vellmar.", "Infirmière de nuit.", "Photographe amateur.",
           "Étudiant en droit.", "Supporter du FC Vellmar.", "Boulanger depuis 1998.", "Maman de trois enfants."],
    "de": ["", "Lehrerin.", "Radfahren, Kochen, Bahnfrust.", "Pfleger im Nachtdienst.", "Fotos vom Rhein.",
           "Student in Vellmar.", "FC Vellmar seit immer.", "Rentner. Garten und Enkel.", "Bücher und Kaffee."],
}
SUBJECTS = {
    "en": ["the tram strike", "the new bridge", "the market on Saturday", "the rain", "the cup final",
           "the jazz festival", "the river cleanup", "the bike lanes", "the library hours", "the heat this week"],
    "fr": ["la grève du tram", "le nouveau pont", "le marché de samedi", "la pluie", "la finale de coupe",
           "le festival de jazz", "le nettoyage du Rhin", "les pistes cyclables", "la bibliothèque", "la chaleur"],
    "de": ["der Tramstreik", "die neue Brücke", "der Markt am Samstag", "der Regen", "das Pokalfinale",
           "das Jazzfestival", "die Rheinputzaktion", "die Radwege", "die Bibliothek", "die Hitze"],
}
OPINIONS = {
    "en": ["is finally happening", "was great", "is a mess again", "made my day", "needs a rethink",
           "was packed", "got postponed", "is worth it"],
    "fr": ["enfin !", "c'était super", "encore le bazar", "quelle journée", "à revoir", "plein à craquer",
           "reporté, évidemment", "ça vaut le coup"],
    "de": ["endlich", "war toll", "schon wieder Chaos", "hat mir den Tag gerettet", "muss man überdenken",
           "war voll", "verschoben, natürlich", "lohnt sich"],
}
TAGS = ["#Vellmar", "#Rhin", "#FCVellmar", "#tram", "#jazzfest", "#Elsass", "#Grenzland"]

# The news sites: (name, domain, twitter handle of its newsroom, language). The first is
# the target's paper; ``late`` ones the desk only started crawling after the takedown.
NEWS = [
    ("Vellmar Courier", "vellmar-courier.example", "vellmarcourier", "fr", False),
    ("Radio Vellmar", "radio-vellmar.example", "radiovellmar", "fr", False),
    ("Nordkurier Vellmar", "nordkurier-vellmar.example", "nordkurier_vm", "de", True),
    ("Le Petit Vellmarois", "lepetit-vellmarois.example", "petitvellmarois", "fr", True),
    ("Agence Presse Est", "agence-presse-est.example", "ape_depeches", "fr", False),
]
HEADLINES = [
    "Tram strike: what changes on Monday", "Council votes new housing plan", "Flooding risk along the Rhine",
    "Jazz festival breaks attendance record", "Court rules on the bridge contract", "Hospital hires 40 nurses",
    "Heatwave: pools open late", "FC Vellmar promoted", "Investigation: who owns the empty flats?",
    "Refugee network opens second cafe", "Police report: bike thefts double", "New bus lines from June",
]

# Generic bios many unrelated accounts share, some of them word-subsets of others.
GENERIC_BIOS = ["Husband. Father. Patriot.", "Husband. Father.", "Father. Patriot.", "Husband. Father. Patriot. God.",
                "Football. Beer. Family.", "Football. Beer.", "Family. Football. Beer. Vellmar.",
                "Patriot.", "Vellmar first.", "Heimat. Familie. Freiheit.", "Familie. Freiheit."]
