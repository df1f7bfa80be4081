// 签到 with the device's camera: reveals 用摄像头扫码 on the 签到 page when the browser can use a camera, reads
// the 准考证 QR code from the video with jsQR (loaded on the first click), then puts the text into the scan field
// and submits the same form a USB scanner does, so the request and the result are the same. Without JavaScript
// the box stays hidden and the field works as it is.
(function () {
  "use strict";
  var box = document.getElementById("checkin-camera");
  if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var startBtn = box.querySelector("[data-camera=start]");
  var stopBtn = box.querySelector("[data-camera=stop]");
  var video = box.querySelector("video");
  var note = box.querySelector("[data-camera=note]");
  var canvas = document.createElement("canvas");
  var stream = null;
  var timer = 0;
  var decoder = null;

  function loadDecoder() {
    if (decoder) {
      return decoder;
    }
    decoder = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = box.getAttribute("data-decoder");
      s.onload = function () {
        if (typeof window.jsQR === "function") {
          resolve(window.jsQR);
        } else {
          reject(new Error("jsQR"));
        }
      };
      s.onerror = reject;
      document.head.appendChild(s);
    });
    decoder.catch(function () { decoder = null; });
    return decoder;
  }

  function say(text) {
    note.textContent = text;
    note.hidden = text === "";
  }

  function stop() {
    clearTimeout(timer);
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
    video.srcObject = null;
    video.hidden = true;
    stopBtn.hidden = true;
    startBtn.hidden = false;
  }

  function unavailable(err) {
    stop();
    var why = "";
    if (err && (err.name === "NotAllowedError" || err.name === "SecurityError")) {
      why = "：未获准使用摄像头";
    } else if (err && (err.name === "NotFoundError" || err.name === "OverconstrainedError")) {
      why = "：未找到摄像头";
    } else if (err && err.name === "NotReadableError") {
      why = "：摄像头被其他程序占用";
    }
    say("摄像头不可用" + why + "。请用扫码枪或输入准考证号。");
  }

  // found hands the text to the scan form as if it had been typed and Enter pressed.
  function found(text) {
    stop();
    startBtn.textContent = "继续扫码";
    var input = document.getElementById("checkin-code");
    if (!input || !input.form) {
      return;
    }
    input.value = text;
    if (input.form.requestSubmit) {
      input.form.requestSubmit();
    } else {
      input.form.querySelector("[type=submit]").click();
    }
  }

  function scan(jsQR) {
    if (!stream) {
      return;
    }
    var w = video.videoWidth;
    var h = video.videoHeight;
    if (w && h && video.readyState >= 2) {
      // Frames are scaled to at most 640 px: enough for a 准考证 held to the camera, and fast on a phone.
      var k = Math.min(1, 640 / Math.max(w, h));
      canvas.width = Math.round(w * k);
      canvas.height = Math.round(h * k);
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var hit = jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      if (hit && hit.data) {
        found(hit.data);
        return;
      }
    }
    timer = setTimeout(function () { scan(jsQR); }, 150);
  }

  function start() {
    say("");
    startBtn.hidden = true;
    var camera = navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: { ideal: "environment" } } });
    Promise.all([camera, loadDecoder()]).then(function (got) {
      stream = got[0];
      video.srcObject = stream;
      video.hidden = false;
      stopBtn.hidden = false;
      var playing = video.play();
      if (playing && playing.catch) {
        playing.catch(function () {});
      }
      scan(got[1]);
    }, function (err) {
      camera.then(function (s) { s.getTracks().forEach(function (t) { t.stop(); }); }, function () {});
      unavailable(err);
    });
  }

  startBtn.addEventListener("click", start);
  stopBtn.addEventListener("click", stop);
  // A camera left on in a background tab keeps the light on and the battery draining.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && stream) {
      stop();
    }
  });
  box.hidden = false;
})();
