package main

import "io"

func runPriceAt(args []string, stdout, stderr io.Writer) int { return 0 }
func runPrice(args []string, stdout, stderr io.Writer) int   { return 0 }
func runDiff(args []string, stdout, stderr io.Writer) int    { return 0 }
