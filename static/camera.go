package static

// The 签到 page's camera scan: our small script, and the QR decoder it loads on the first 用摄像头扫码.
// The decoder is jsQR 1.4.0 (Apache-2.0, licence in vendor/jsQR-LICENSE.txt), dist/jsQR.js of the npm package
// jsqr@1.4.0 copied unchanged (npm integrity sha512-dxLob7q65Xg2DvstYkRpkYtmKm2sPJ9oFhrhmudT1dZvNFFTlroai3AWSpLey/w5vMcLBXRgOJsbXpdN9HzU/A==,
// sha256 of the file bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859). It uses no eval, so
// the CSP stays as it is. Only the 签到 page refers to these files.
const (
	QRDecoder    = "vendor/jsQR-1.4.0.js"
	CameraScript = "checkin-camera.js"
)
