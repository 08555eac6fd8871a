"""The crisis-language scan: written as people write (endings, spoken forms, missing dots,
misspellings, indirect phrasings), and not fooled by figurative uses."""

from __future__ import annotations

import re

import pytest

from bot.services.safety import Scanner, check_term, compile_phrase, fold, normalise, shipped

FI_CRISIS = [
    "mä haluun kuolla",
    "Haluan kuolla.",
    "haluisin vaan kuolla pois",
    "haluaisin kuolla nyt",
    "tahdon kuolla",
    "ma haluun kuolla",  # no dots
    "haluuuun kuolla",  # a drawn-out letter
    "mietin itsemurhaa",
    "itsemurha-ajatuksia taas",
    "mulla on ollu itsemurhaajatuksia",
    "kirjoitin itsemurhaviestin",
    "itsemurahn ajatuksia",  # misspelt
    "mietin itsaria",
    "oon ollu tosi itsetuhoinen",
    "itsetuhoisia ajatuksia",
    "tapan itteni",
    "mä tapan itteni tänään",
    "haluun tappaa itseni",
    "aion hirttää itseni",
    "viiltelen taas",
    "viilsin ranteeni",
    "satutan itseäni",
    "haluun satuttaa itteäni",
    "otin yliannostuksen",
    "hyppään sillalta",
    "heittäydyn junan alle",
    "en jaksa elää",
    "mä en jaksa enää.",
    "en jaksa enää mitään",
    "en jaksa enää tätä elämää",
    "en halua elää enää",
    "en haluu elaa",
    "en halua olla olemassa",
    "kunpa en heräis aamulla",
    "haluun nukahtaa enkä koskaan herätä",
    "kaikki ois parempi ilman mua",
    "kaikilla olis parempi ilman minua",
    "ei oo mitään syytä elää",
    "elämä ei oo enää elämisen arvoista",
    "kukaan ei kaipais mua",
    "oon vaan taakka kaikille",
    "toivon etten ois ikinä syntyny",
    "en oo enää täällä huomenna",
    "tää on mun viimeinen viesti",
    "haluun lopettaa kaiken",
    "en kestä enää!",
]

FI_CALM = [
    "kuolen nauruun",
    "mä kuolen nauruun tän videon kanssa",
    "tää läksy tappaa mut",
    "toi koe tappaa mut",
    "nauroin itteni kuoliaaksi",
    "mä kuolen tylsyyteen",
    "haluun kuolla häpeästä kun muistan sen",
    "kuolen nälkään, mennäänkö syömään",
    "isän kuolema oli raskas",
    "äiti kuoli viime vuonna",
    "hoidan miestäni, joka on kuolemassa",
    "en halua kuolla, haluan vaan levätä",
    "en jaksa enää odottaa bussia",
    "en jaksa tehdä läksyjä",
    "en jaksa kuunnella tota",
    "elämä on ihanaa",
    "haluun elää täysillä",
    "katoin dokkarin itsemurhaiskuista",
    "tää projekti on ihan itsemurhatehtävä",
    "lopetan tänään kahvinjuonnin",
    "lopetin kaiken sokerin syömisen",
    "menen mökille huomenna, en oo täällä",
    "hyvää yötä kaikille",
    "tapasin itseni peilistä",
    "tapaan kaverin",
    "viilsin leipää",
    "hyppäsin trampoliinilla",
    "mennään junalla",
    "mä oon tosi väsyny",
    "ma–pe 16–21",
    "klo 16.30 nähdään",
    "olen omaishoitaja ja väsynyt",
    "hirtehinen huumori auttaa",
    "satutin jalkani",
    "ei oo mitään syytä huoleen",
    "kaikki on paremmin nyt",
    "parempi ilman sokeria",
    "kukaan ei huomannut mun uutta tukkaa",
    "oon taakkana itselleni kun en osaa kokata",
    "viimeinen viesti tänään, hyvää yötä",
]

SV_CRISIS = [
    "jag vill dö",
    "jag vill bara dö",
    "vill dö nu",
    "jag vil dö",  # misspelt
    "jag vill do",  # no dots
    "jag tänker på självmord",
    "självmordstankar igen",
    "jag har självmordstankar",
    "sjävlmordstankar",  # misspelt
    "jag ska ta livet av mig",
    "jag tar livet av mig",
    "jag vill ta mitt liv",
    "jag önskar att jag var död",
    "önskar jag vore död",
    "jag vill inte leva längre",
    "jag orkar inte leva",
    "jag orkar inte mer.",
    "orkar inte längre",
    "jag orkar inte med livet",
    "jag vill inte vakna imorgon",
    "jag vill inte finnas",
    "det finns ingen mening att leva",
    "ingen mening med livet",
    "livet är inte värt att leva",
    "jag har inget att leva för",
    "alla har det bättre utan mig",
    "ingen skulle sakna mig",
    "jag vill bara försvinna",
    "jag skadar mig själv",
    "jag har börjat skära mig",
    "skär mig igen",
    "jag vill hänga mig",
    "hoppa framför tåget",
    "hoppa från bron",
    "jag tog en överdos",
    "jag är en börda",
    "jag är bara en börda för alla",
    "hejdå för alltid",
    "det här är mitt sista meddelande",
    "jag kommer inte vara här imorgon",
    "jag självskadar",
    "självskadebeteende igen",
]

SV_CALM = [
    "jag dör av skratt",
    "jag dog av skratt",
    "jag vill dö av skratt",
    "jag dör av tristess",
    "mamma dog förra året",
    "pappas död var svår",
    "jag vill inte dö, jag vill bara vila",
    "jag orkar inte mer kaffe",
    "orkar inte längre vänta på bussen",
    "det är ett självmordsuppdrag",
    "jag vill leva länge",
    "livet är fint",
    "jag skar mig i fingret när jag lagade mat",
    "jag tar livet med ro",
    "ta det lugnt",
    "ingen mening att vänta",
    "bättre utan socker",
    "jag vill försvinna till stugan i helgen",
    "hejdå, vi ses imorgon",
    "mitt sista prov är imorgon",
    "jag kommer inte vara här imorgon, jag är i Åbo",
    "hoppa i vattnet",
    "jag hoppade från bryggan",
    "jag ska hänga upp tvätten",
    "jag är trött",
    "jag är anhörigvårdare",
    "mån–fre 16–21",
    "kl 18.00 ses vi",
    "det var en dödstråkig film",
    "jag vaknar tidigt",
    "vill inte vakna så tidigt",
    "jag vill inte gå till skolan",
    "ingen märkte min nya frisyr",
    "det är en börda att städa",
    "min farfar dog av cancer",
    "jag har inget att göra idag",
    "jag skadade knät i fotbollen",
    "tåget var försenat",
    "jag tänker på dig",
    "jag vill sova",
]

EN_CRISIS = [
    "i want to die",
    "I just want to die.",
    "i wanna die",
    "wish i was dead",
    "I wish I were dead",
    "i'm going to kill myself",
    "gonna kill myself tonight",
    "i want to kil myself",  # misspelt
    "kms",
    "i'm suicidal",
    "suicidal thoughts again",
    "thinking about suicide",
    "sucide thoughts",  # misspelt
    "i want to end my life",
    "i'll end it all",
    "i want to take my own life",
    "i don't want to live anymore",
    "i dont want to be alive",
    "i don't want to be here anymore",
    "there's no reason to live",
    "i have nothing to live for",
    "there's no point living",
    "everyone would be better off without me",
    "nobody would miss me",
    "i can't go on",
    "i cant take it anymore.",
    "i hurt myself again",
    "i want to harm myself",
    "i self-harm",
    "self harm again",
    "i've been cutting myself",
    "i started cutting",
    "i want to hang myself",
    "i took an overdose",
    "gonna jump off a bridge",
    "i'll jump in front of a train",
    "i want to sleep and never wake up",
    "i'm a burden to everyone",
    "i wish i was never born",
    "this is my last message",
    "i won't be here tomorrow",
    "goodbye forever",
    "i want to unalive myself",
]

EN_CALM = [
    "I'm dying laughing",
    "i died laughing at that",
    "i'm dying to see the movie",
    "this cake is to die for",
    "you killed it!",
    "killing it today",
    "i'm killing myself laughing",
    "this homework is killing me",
    "i don't want to die, i want help",
    "my dad died last year",
    "my mum is dying and i care for her",
    "the suicide squad movie was ok",
    "it was a suicide mission",
    "i want to live in Helsinki",
    "i hurt my knee",
    "i cut myself shaving",
    "i can't go to school today",
    "i can't take the bus",
    "i want to sleep",
    "i want to eat",
    "no reason to worry",
    "nothing to do today",
    "better off with tea",
    "nobody noticed my haircut",
    "goodbye, see you tomorrow",
    "this is my last exam",
    "i won't be here tomorrow, i'm travelling",
    "i jumped into the lake",
    "i hang out with friends",
    "i'm a carer and tired",
    "Mon-Fri 4pm-9pm",
    "meet at 18:00",
    "i feel a bit low",
    "it's a burden to clean",
    "end of the day",
    "end the meeting",
    "take my time",
    "i'm dead tired",
    "dead battery again",
    "the movie ends with a death",
]

EXAMPLES = {"fi": (FI_CRISIS, FI_CALM), "sv": (SV_CRISIS, SV_CALM), "en": (EN_CRISIS, EN_CALM)}


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize("locale", EXAMPLES)
def test_at_least_forty_examples_each_way(locale):
    crisis, calm = EXAMPLES[locale]
    assert len(crisis) >= 40 and len(calm) >= 40
    assert len(set(crisis)) == len(crisis) and len(set(calm)) == len(calm)


@pytest.mark.parametrize(("locale", "text"), [(lo, t) for lo, (crisis, _) in EXAMPLES.items() for t in crisis])
def test_crisis_language_is_found(scanner, locale, text):
    assert scanner.scan(text) is not None, text


@pytest.mark.parametrize(("locale", "text"), [(lo, t) for lo, (_, calm) in EXAMPLES.items() for t in calm])
def test_ordinary_and_figurative_talk_is_not(scanner, locale, text):
    hit = scanner.scan(text)
    assert hit is None, f"{text!r} matched {hit}"


def test_a_crisis_phrase_next_to_a_figurative_one_still_counts(scanner):
    assert scanner.scan("kuolen nauruun. mutta oikeesti haluun kuolla") is not None
    assert scanner.scan("en halua kuolla mutta en jaksa elää") is not None
    assert scanner.scan("I'm dying laughing lol. Honestly I want to end my life") is not None


def test_a_phrase_never_spans_two_sentences(scanner):
    assert scanner.scan("haluun. kuolla") is None
    assert scanner.scan("en jaksa enää odottaa") is None and scanner.scan("en jaksa enää!") is not None


def test_folding_and_normalising():
    assert fold("Mä HALUUUUN Kuolla, Åsa!") == "ma haluun kuolla, asa!"
    assert fold("café naïve") == "cafe naive"
    assert normalise("Hei! Mitä kuuluu?\nHyvää.") == " hei | mita kuuluu | hyvaa "


def test_one_letter_words_start_phrases_too():
    assert Scanner(["a b c"]).scan("x a b c y") is not None


def test_a_servers_own_terms_extend_the_lists():
    assert Scanner().scan("mulla on ihan musta olo") is None
    own = Scanner(["musta olo", "! musta olo kahvista"])
    assert own.scan("mulla on ihan musta olo") is not None
    assert own.scan("musta olo kahvista") is None


def test_terms_are_checked():
    assert check_term("  musta   olo ") == "musta olo"
    for bad in ("", "   ", "x" * 101, "$ alku", "a|", "(.*)"):
        with pytest.raises(ValueError):
            check_term(bad)


def test_every_shipped_phrase_compiles_and_is_not_too_broad():
    for locale in EXAMPLES:
        phrases = shipped(locale)
        assert len(phrases.crisis) >= 30
        for phrase in (*phrases.crisis, *phrases.figurative):
            pattern = re.compile(compile_phrase(phrase))
            assert pattern.search(normalise("hei mitä kuuluu, ihan hyvää kiitos")) is None, phrase
