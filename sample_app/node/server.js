// HTTP 서버 시작과 그레이스풀 셧다운 (03 레슨).
// PM2는 앱을 멈출 때 SIGINT를 보내고 kill_timeout(ms)이 지나면 SIGKILL을 보낸다.
// 그래서 SHUTDOWN_TIMEOUT_MS는 ecosystem 파일의 kill_timeout보다 짧게 둔다.
"use strict";

const http = require("node:http");
const app = require("./app");

const port = Number.parseInt(process.env.PORT ?? "3000", 10);
const host = process.env.HOST ?? "127.0.0.1";
const shutdownTimeoutMs = Number.parseInt(process.env.SHUTDOWN_TIMEOUT_MS ?? "10000", 10);

let shuttingDown = false;

const server = http.createServer((req, res) => {
  // 종료 중에는 keep-alive 연결을 이어 가지 않게 한다: 응답을 보낸 뒤 클라이언트가 다른 인스턴스로 다시 붙는다
  if (shuttingDown) res.setHeader("Connection", "close");
  app(req, res);
});

server.listen(port, host, () => {
  console.log(`[server] 시작: http://${host}:${port} 에서 요청을 받는다 (pid ${process.pid})`);
  // PM2의 wait_ready: true가 이 신호를 기다린다. 무중단 리로드는 새 인스턴스가 준비된 뒤에야 옛 인스턴스를 멈춘다.
  if (process.send) {
    process.send("ready");
  }
});

// process.exit()는 아직 파이프로 나가지 않은 로그를 버린다(PM2 클러스터 모드가 그렇다). 다 쓴 뒤에 끝낸다.
function logAndExit(stream, line, code) {
  stream.write(`${line}\n`, () => process.exit(code));
}

function gracefulShutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`[server] 종료: ${signal} 받음, 새 연결을 받지 않고 처리 중인 요청을 끝낸다 (pid ${process.pid})`);

  server.close(() => {
    // DB 연결 닫기, 로그 비우기 같은 정리를 여기서 한다
    logAndExit(process.stdout, `[server] 종료: 처리 중인 요청을 모두 끝냈다, 정리 완료 (pid ${process.pid})`, 0);
  });
  // Node 19+의 close()는 놀고 있는 keep-alive 연결을 바로 닫는다. 요청 중인 연결은 응답 뒤에 닫힌다.

  // 끝나지 않는 요청이 종료를 무한히 붙잡지 못하게 한다
  setTimeout(() => {
    logAndExit(process.stderr, `[server] 종료: ${shutdownTimeoutMs}ms 안에 끝나지 않아 강제로 끝낸다 (pid ${process.pid})`, 1);
  }, shutdownTimeoutMs).unref();
}

process.on("SIGINT", () => gracefulShutdown("SIGINT"));
process.on("SIGTERM", () => gracefulShutdown("SIGTERM"));
