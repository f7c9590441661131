#!/bin/sh
echo "hi, there"
