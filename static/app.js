// examcert's one script, for what htmx cannot do; every page works without it.
// 1. A preview of the chosen photo on which the user drags a 5:7 crop box. It only fills the numeric crop fields
//    (crop_x, crop_y, crop_w, crop_h, in pixels of the original photo), which work without it.
// 2. The list of photos chosen for a batch upload, each with 【删除】, before 【上传】.
(function () {
  "use strict";
  if (!document.querySelectorAll || !window.addEventListener) return;
  function setup(input) {
    var box = document.getElementById(input.getAttribute("data-crop-preview"));
    var form = input.form;
    if (!box || !form || !window.URL || !URL.createObjectURL) return;
    var field = function (n) { return form.querySelector('input[name="' + n + '"]'); };
    var img = null, frame = null, start = null, url = null;

    function place(x, y, w, h) {
      frame.style.left = x + "px"; frame.style.top = y + "px";
      frame.style.width = w + "px"; frame.style.height = h + "px";
      frame.hidden = false;
      var s = img.naturalWidth / img.clientWidth;
      field("crop_x").value = Math.round(x * s); field("crop_y").value = Math.round(y * s);
      field("crop_w").value = Math.round(w * s); field("crop_h").value = Math.round(h * s);
      var details = form.querySelector("details.crop-fields");
      if (details) details.open = true;
    }
    function point(e) {
      var r = img.getBoundingClientRect();
      var t = e.touches ? e.touches[0] : e;
      return { x: Math.min(Math.max(t.clientX - r.left, 0), r.width), y: Math.min(Math.max(t.clientY - r.top, 0), r.height) };
    }
    function move(e) {
      if (!start) return;
      e.preventDefault();
      var p = point(e);
      var w = Math.abs(p.x - start.x), h = w * 7 / 5;
      var x = p.x < start.x ? start.x - w : start.x;
      var y = p.y < start.y ? start.y - h : start.y;
      if (x < 0 || y < 0 || x + w > img.clientWidth || y + h > img.clientHeight) return; // keep the box inside
      if (w >= 10) place(x, y, w, h);
    }
    function down(e) { e.preventDefault(); start = point(e); }
    function up() { start = null; }

    input.addEventListener("change", function () {
      box.innerHTML = "";
      if (url) URL.revokeObjectURL(url);
      ["crop_x", "crop_y", "crop_w", "crop_h"].forEach(function (n) { if (field(n)) field(n).value = ""; });
      var file = input.files && input.files[0];
      if (!file || !/^image\/(jpeg|png)$/.test(file.type)) { box.hidden = true; return; }
      url = URL.createObjectURL(file);
      img = document.createElement("img");
      img.alt = "照片预览：按住鼠标拖动以选择裁剪区域";
      img.src = url;
      frame = document.createElement("div");
      frame.className = "crop-box";
      frame.hidden = true;
      box.appendChild(img); box.appendChild(frame);
      box.hidden = false;
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = "在预览图上按住鼠标拖动，选择5:7的裁剪区域；不选择则居中裁剪。";
      box.appendChild(hint);
      img.addEventListener("mousedown", down); img.addEventListener("touchstart", down);
    });
    document.addEventListener("mousemove", move); document.addEventListener("touchmove", move, { passive: false });
    document.addEventListener("mouseup", up); document.addEventListener("touchend", up);
  }
  function fileList(input) {
    var list = document.getElementById(input.getAttribute("data-file-list"));
    if (!list || !canBuildFileList()) return;
    function draw() {
      list.innerHTML = "";
      Array.prototype.forEach.call(input.files, function (f, i) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = f.name + "（" + Math.ceil(f.size / 1024) + "KB）";
        var del = document.createElement("button");
        del.type = "button"; del.className = "small secondary"; del.textContent = "删除";
        del.setAttribute("data-testid", "photo-file-delete");
        del.addEventListener("click", function () {
          var dt = new DataTransfer();
          Array.prototype.forEach.call(input.files, function (g, j) { if (j !== i) dt.items.add(g); });
          input.files = dt.files;
          draw();
        });
        li.appendChild(name); li.appendChild(del);
        list.appendChild(li);
      });
    }
    input.addEventListener("change", draw);
  }
  // Chromium before 60 (older 360/QQ cores) has DataTransfer but cannot construct one, nor assign input.files:
  // there the file input stays as the browser draws it, which works without this script.
  function canBuildFileList() {
    try { return typeof DataTransfer === "function" && new DataTransfer().files !== undefined; } catch (e) { return false; }
  }
  function init() {
    var inputs = document.querySelectorAll("input[type=file][data-crop-preview]");
    for (var i = 0; i < inputs.length; i++) setup(inputs[i]);
    var many = document.querySelectorAll("input[type=file][data-file-list]");
    for (var k = 0; k < many.length; k++) fileList(many[k]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  // 全选本页 of a review queue: ticks the page's row checkboxes (name given by data-select-all) in the same form.
  // Delegated, so rows htmx swapped in are covered; without this script 选择全部符合条件的 N 条 does the same job.
  document.addEventListener("change", function (e) {
    var box = e.target, name = box && box.getAttribute && box.getAttribute("data-select-all");
    if (!name || !box.form) return;
    var rows = box.form.querySelectorAll('input[type=checkbox][name="' + name + '"]');
    for (var i = 0; i < rows.length; i++) rows[i].checked = box.checked;
  });
})();
