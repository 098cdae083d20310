#!/usr/bin/env bash
# Run marsad's Spark job with spark-submit, the package shipped to every executor.
#
#   scripts/spark-submit.sh [SPARK-SUBMIT OPTIONS] -- INPUT... --out DIR [JOB OPTIONS]
#
#   scripts/spark-submit.sh --master yarn --deploy-mode client --num-executors 50 --executor-cores 4 \
#       --executor-memory 6g -- 's3a://news/2024/*.jsonl' --out s3a://news/marsad-2024
#   scripts/spark-submit.sh --master 'local[2]' -- examples/articles.jsonl --out /tmp/marsad-spark
#
# What it does (the recipe of docs/spark.md):
#   1. builds marsad as a wheel (dictionaries and the NER model are package data inside it);
#   2. makes a virtualenv with that wheel, pyarrow and pandas, and packs it with venv-pack
#      (marsad needs compiled packages - pyahocorasick, python-crfsuite, numpy - and reads its
#      NER model from a file, so a zip on --py-files is not enough: executors get the whole env);
#   3. spark-submit marsad/spark/job.py with --archives ENV.tar.gz#environment and the executors'
#      Python set to ./environment/bin/python.
# The env is built for this machine's OS, CPU and Python: build it where the executors' image matches
# (or in the same container image).  Reuses build/spark/ when the wheel has not changed
# (FRESH=1 rebuilds).  SPARK_HOME defaults to the pyspark installed for $PYTHON.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
BUILD="${BUILD:-$ROOT/build/spark}"
submit_args=()
while (($#)) && [[ "$1" != "--" ]]; do submit_args+=("$1"); shift; done
if (($#)); then shift; fi
if (($# == 0)); then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
job_args=("$@")

if [[ -z "${SPARK_HOME:-}" ]]; then
  SPARK_HOME="$("$PYTHON" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' 2>/dev/null)" || {
    echo "spark-submit.sh: set SPARK_HOME, or install pyspark for $PYTHON (pip install 'marsad[spark]')" >&2; exit 2; }
  export SPARK_HOME
fi

# 1. the wheel
mkdir -p "$BUILD/dist"
[[ "${FRESH:-0}" == 1 ]] && rm -rf "$BUILD"/dist/* "$BUILD/venv" "$BUILD/marsad-env.tar.gz"
"$PYTHON" -m pip wheel --quiet --no-deps -w "$BUILD/dist" "$ROOT"
wheel="$(ls -t "$BUILD"/dist/marsad-*.whl | head -1)"
stamp="$(sha256sum "$wheel" | cut -c1-16)"

# 2. the environment for the executors (and the driver, in client mode)
if [[ ! -f "$BUILD/marsad-env.tar.gz" || "$(cat "$BUILD/env.stamp" 2>/dev/null)" != "$stamp" ]]; then
  rm -rf "$BUILD/venv" "$BUILD/marsad-env.tar.gz"
  "$PYTHON" -m venv "$BUILD/venv"
  "$BUILD/venv/bin/pip" install --quiet --upgrade pip
  # pyspark itself comes from the cluster's Spark; the job needs marsad, pyarrow and pandas
  "$BUILD/venv/bin/pip" install --quiet "$wheel" "pandas>=2.2,<3" "pyarrow>=18" venv-pack
  "$BUILD/venv/bin/venv-pack" --quiet -p "$BUILD/venv" -o "$BUILD/marsad-env.tar.gz"
  echo "$stamp" > "$BUILD/env.stamp"
fi

# 3. submit: the job script from the source tree, the env to every executor
master="${MASTER:-}"
for ((i = 0; i < ${#submit_args[@]}; i++)); do
  case "${submit_args[$i]}" in
    --master) master="${submit_args[$((i + 1))]:-}" ;;
    --master=*) master="${submit_args[$i]#--master=}" ;;
  esac
done
ship=()
if [[ "$master" == local || "$master" == local\[* ]]; then
  # local mode: executors are threads of this machine's driver; use the env where it was built
  export PYSPARK_PYTHON="$BUILD/venv/bin/python"
  ship=(--master "$master")
else
  export PYSPARK_PYTHON=./environment/bin/python  # unpacked in every executor's working directory
  ship=(--archives "$BUILD/marsad-env.tar.gz#environment")
fi
# client mode: the driver runs here, in the same env (spark-submit puts its pyspark on the path);
# in cluster mode set PYSPARK_DRIVER_PYTHON=./environment/bin/python yourself
export PYSPARK_DRIVER_PYTHON="${PYSPARK_DRIVER_PYTHON:-$BUILD/venv/bin/python}"
exec "$SPARK_HOME/bin/spark-submit" "${ship[@]}" \
  --conf spark.sql.execution.arrow.pyspark.enabled=true \
  "${submit_args[@]}" \
  "$ROOT/marsad/spark/job.py" "${job_args[@]}"
