// The SERFeaturesTests target: its tests live beside this file.
