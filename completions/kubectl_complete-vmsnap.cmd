@echo off
rem kubectl 1.26+ runs this to complete "kubectl vmsnap ..."; it must be on PATH.
kubectl vmsnap __complete %*
