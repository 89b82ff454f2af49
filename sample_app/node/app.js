// PM2 레슨용 Express 앱. 파이썬 앱의 /health, /whoami, /work/io, /slow와 같은 모양으로 답한다.
"use strict";

const os = require("node:os");
const express = require("express");

const MAX_SECONDS = 30;
const startedAt = new Date().toISOString();
// /hog가 잡아 둔 버퍼. 놓지 않으므로 RSS가 계속 커지고, PM2의 max_memory_restart가 프로세스를 재시작한다.
const hoard = [];
let served = 0;

function duration(req, fallback) {
  const value = Number.parseFloat(req.query.duration ?? fallback);
  if (!Number.isFinite(value)) return fallback;
  return Math.min(Math.max(value, 0), MAX_SECONDS);
}

function sleep(seconds) {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

function rssMb() {
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}

const app = express();
app.disable("x-powered-by");

app.use((req, res, next) => {
  served += 1;
  next();
});

app.get("/health", (req, res) => {
  res.json({ status: "ok" });
});

app.get("/whoami", (req, res) => {
  res.json({
    hostname: os.hostname(),
    pid: process.pid,
    ppid: process.ppid,
    // PM2 클러스터 모드가 인스턴스마다 0, 1, 2 …를 넣어 준다. PM2 밖에서는 없다.
    instance: process.env.NODE_APP_INSTANCE ?? null,
    worker_id: process.env.NODE_APP_INSTANCE !== undefined ? `pm2-${process.env.NODE_APP_INSTANCE}` : `pid-${process.pid}`,
    started_at: startedAt,
    requests_served: served,
    node: process.version,
    rss_mb: rssMb(),
  });
});

app.get("/work/io", async (req, res) => {
  const seconds = duration(req, 0.1);
  await sleep(seconds);
  res.json({ pid: process.pid, duration: seconds });
});

app.get("/slow", async (req, res) => {
  const seconds = duration(req, 5);
  console.log(`[slow] 시작: ${seconds}초 걸리는 요청 (pid ${process.pid})`);
  await sleep(seconds);
  console.log(`[slow] 완료: ${seconds}초 요청에 응답 (pid ${process.pid})`);
  res.json({ pid: process.pid, duration: seconds, status: "done" });
});

app.get("/hog", (req, res) => {
  const mb = Math.min(Math.max(Number.parseInt(req.query.mb ?? "50", 10) || 0, 0), 1024);
  // 0이 아닌 값으로 채운다: 0으로 채운 큰 버퍼는 커널이 페이지를 미뤄 주어 RSS에 잡히지 않는다
  hoard.push(Buffer.alloc(mb * 1024 * 1024, 0x5a));
  const retainedMb = hoard.reduce((sum, buffer) => sum + buffer.length, 0) / 1024 / 1024;
  console.log(`[hog] ${mb}MB 더 잡음, 합계 ${retainedMb}MB, RSS ${rssMb()}MB (pid ${process.pid})`);
  res.json({ pid: process.pid, added_mb: mb, retained_mb: retainedMb, rss_mb: rssMb() });
});

app.use((req, res) => {
  res.status(404).json({ detail: "없는 경로다" });
});

module.exports = app;
