// The SERReportTests target: its tests live beside this file.
