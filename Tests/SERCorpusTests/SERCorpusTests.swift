// The SERCorpusTests target: its tests live beside this file.
