"""Data files of the core.

english-words.txt.gz: the words of Debian's wamerican (/usr/share/dict/american-english),
one per line as the dictionary capitalises them, without possessives or non-ASCII words
(see english-words.COPYRIGHT).

modifiers.txt.gz: the words that WordNet 3.0 (Debian's wordnet-base, /usr/share/wordnet/index.*)
lists only as adjectives or adverbs, never as nouns or verbs, leaving out past and present
participles of its verbs ("published", "biting"); one per line (see modifiers.COPYRIGHT).
"""
