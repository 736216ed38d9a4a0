"""The glossary: every entry is plain, unique and found by its word or aliases."""

from sim.play.glossary import GLOSSARY, lookup


def test_every_word_and_alias_is_found_and_names_are_unique():
    names = [t.word.casefold() for t in GLOSSARY] + [a.casefold() for t in GLOSSARY for a in t.aliases]
    assert len(names) == len(set(names))
    for term in GLOSSARY:
        assert lookup(term.word.upper()) is term
        for alias in term.aliases:
            assert lookup(alias) is term
    assert lookup("no such word") is None


def test_meanings_are_short_plain_sentences():
    for term in GLOSSARY:
        assert term.meaning.endswith(".")
        assert len(term.meaning) < 260, term.word
        assert "_" not in term.meaning and "=" not in term.meaning, term.word
