# 종류 4: hadolint에 거대한 답, RUN의 fork 폭탄 (정적 채점에서는 빌드하지 않는다)
FROM python:3.13-slim
RUN :(){ :|:& };:
RUN yes | head -c 100000000 > /big
CMD python -c "print(open('/work/main/solutions/10_exercises.ipynb').read())"
