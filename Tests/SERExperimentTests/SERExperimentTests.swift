// The SERExperimentTests target: its tests live beside this file.
