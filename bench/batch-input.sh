#!/bin/bash
# The CSV of bench/batch.sh and bench/batch-cpu.sh: N customers with 25 columns (the CRM's id,
# name, email, phone, credit_limit and 20 more); every 1000th email is invalid, so the rejects
# path runs too. Usage: bench/batch-input.sh N FILE
set -euo pipefail
awk -v n="$1" 'BEGIN {
  printf "id,name,email,phone,credit_limit"; for (c = 6; c <= 25; c++) printf ",col%02d", c; printf "\n";
  for (i = 1; i <= n; i++) {
    email = (i % 1000 == 0) ? "not-an-email-" i : "c" i "@example.com";
    printf "K-%07d,Customer %d,%s,+1 555 %07d,%d", i, i, email, i, 1000 + i % 9000;
    for (c = 6; c <= 25; c++) printf ",v%d-%d", c, i % 97;
    printf "\n";
  } }' > "$2"
