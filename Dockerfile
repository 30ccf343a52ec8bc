# KD Lab: one app replica. See docs/deploy.md for several replicas behind a reverse proxy.
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KDLAB_TORCH_THREADS=1 \
    KDLAB_MAX_JOBS=2 \
    KDLAB_AUTH=accounts
# A server is shared: learners sign in (docs/deploy.md, "Sign-in"). Never KDLAB_AUTH=none here.

WORKDIR /app
COPY requirements.txt .
# The CPU build of torch: PyPI's default wheel for Linux pulls several GB of CUDA libraries.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install -r requirements.txt

COPY . .
RUN useradd --create-home kdlab && chown -R kdlab /app
USER kdlab

EXPOSE 8501
# Live (the web server answers) and ready (the bank loads, the progress database answers).
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health').read() != b'ok')" \
   && python -m kdlab ready
# scripts/warm.py makes the server's first script run (Streamlit's legacy pages/ run, which would
# greet a learner's deep link with "Page not found") and starts the background warm-up.
CMD ["sh", "-c", "python scripts/warm.py http://127.0.0.1:8501 --timeout 120 & exec streamlit run app.py --server.port=8501 --server.address=0.0.0.0"]
