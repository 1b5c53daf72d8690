// The SERNetTests target: its tests live beside this file.
