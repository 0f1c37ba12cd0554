"""Data files of the core.

english-words.txt.gz: the words of Debian's wamerican (/usr/share/dict/american-english),
one per line as the dictionary capitalises them, without possessives or non-ASCII words
(see english-words.COPYRIGHT).
"""
