// The serlabTests target: its tests live beside this file.
