// Photos shrunk on the device before they are queued: the longer side at most 1600 px, JPEG.
// A phone's 12-megapixel photo (3–6 MB) becomes about 200–400 KB, which a weak network sends.

export const MAX_SIDE = 1600;
const QUALITY = 0.82;

async function decode(file) {
  if ("createImageBitmap" in window) {
    try {
      // from-image: a portrait photo stays upright (its EXIF orientation is applied)
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch {
      // not an image, or a format this browser cannot decode
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * The photo as a JPEG Blob no larger than MAX_SIDE on either side. The EXIF data (and with
 * it the camera's position and serial number) is not carried over: the canvas drops it.
 * Throws when the file is not an image the browser can read.
 */
export async function shrink(file) {
  const image = await decode(file);
  const width = image.naturalWidth || image.width;
  const height = image.naturalHeight || image.height;
  if (!width || !height) throw new Error("not an image");
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; // a transparent PNG gets a white ground, not black
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  if (image.close) image.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  if (!blob) throw new Error("could not encode");
  return { blob, width: canvas.width, height: canvas.height };
}
