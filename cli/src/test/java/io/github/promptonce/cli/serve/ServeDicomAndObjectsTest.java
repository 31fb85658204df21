package io.github.promptonce.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.promptonce.Segmenter;
import io.github.promptonce.SegmenterOptions;
import io.github.promptonce.volume.DicomSegWriter;
import io.github.promptonce.volume.ReadOptions;
import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.Volumes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several objects (boxes and clicks) in one volume, the label map, and the DICOM SEG of a real DICOM series. */
class ServeDicomAndObjectsTest {
    @TempDir
    Path tmp;

    @Test
    void twoObjectsGiveALabelMapAndPerObjectVolumes() throws Exception {
        try (ServeFixture f = new ServeFixture(Files.createDirectories(tmp.resolve("r")), "test-tiny", 1 << 20,
                Duration.ofMinutes(5))) {
            String vid = f.openPhantom();
            String objects = "/api/volumes/" + vid + "/objects";
            JsonNode first = ServeFixture.json(f.post(objects, ""));
            JsonNode second = ServeFixture.json(f.post(objects, ""));
            assertEquals(1, first.get("id").asInt());
            assertEquals(2, second.get("id").asInt());
            assertTrue(!first.get("color").asText().equals(second.get("color").asText()), "own colours");
            HttpResponse<String> a = f.post(objects + "/1/prompts",
                    "{\"slice\":10,\"box\":{\"x0\":8,\"y0\":8,\"x1\":40,\"y1\":40}}");
            assertEquals(200, a.statusCode(), a.body());
            HttpResponse<String> b = f.post(objects + "/2/prompts",
                    "{\"slice\":5,\"point\":{\"x\":50,\"y\":50,\"positive\":true}}");
            assertEquals(200, b.statusCode(), b.body());
            // a second click on the same slice joins the first (one prompt of two points)
            HttpResponse<String> b2 = f.post(objects + "/2/prompts",
                    "{\"slice\":5,\"point\":{\"x\":12,\"y\":50,\"positive\":false}}");
            JsonNode prompts = ServeFixture.json(b2).get("prompts");
            assertEquals(2, prompts.size());
            assertEquals(2, prompts.get(1).get("points").size());
            JsonNode volume = ServeFixture.json(f.get("/api/volumes/" + vid));
            assertEquals(2, volume.get("objects").size());
            HttpResponse<byte[]> labels = f.getBytes("/api/volumes/" + vid + "/mask.nii.gz");
            Path p = tmp.resolve("labels.nii.gz");
            Files.write(p, labels.body());
            Volume v = Volumes.read(p);
            TreeSet<Integer> seen = new TreeSet<>();
            long[] perLabel = new long[3];
            for (int i = 0; i < v.voxelCount(); i++) {
                int l = (int) v.get(i);
                seen.add(l);
                perLabel[l]++;
            }
            JsonNode sp = volume.get("spacing");
            double voxelMl = sp.get(0).asDouble() * sp.get(1).asDouble() * sp.get(2).asDouble() / 1000;
            for (JsonNode o : volume.get("objects")) {
                int id = o.get("id").asInt();
                long voxels = o.get("voxels").asLong();
                assertTrue(voxels > 0, "object " + id + " has a mask on its prompted slice");
                assertTrue(seen.contains(id), "label " + id + " is in the label map: " + seen);
                if (id == 2) { // the highest id wins where objects overlap: its count is exact
                    assertEquals(perLabel[2], voxels);
                }
                assertEquals(voxels * voxelMl, o.get("volumeMl").asDouble(), 1e-9);
            }
            assertEquals(new TreeSet<>(List.of(0, 1, 2)), seen);
        }
    }

    @Test
    void aDicomSeriesDownloadsAsDicomSeg() throws Exception {
        String root = System.getProperty("promptonce.testdata");
        if (root == null) {
            fail("system property promptonce.testdata is not set; run through Maven after scripts/fetch-testdata.sh");
        }
        Path series = Path.of(root, "usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/98892001");
        if (!Files.isDirectory(series.resolve("CT5N"))) {
            fail("real test series " + series + "/CT5N is missing: run scripts/fetch-testdata.sh");
        }
        Segmenter s = Segmenter.load(ServeFixture.modelDir("test-tiny"), SegmenterOptions.defaults());
        try (ServeServer server = new ServeServer(new ServeServer.Config("127.0.0.1", 0, series, 1 << 20,
                Duration.ofMinutes(5), 1, ServeFixture.TOKEN, "auto"), List.of(s), ReadOptions.defaults(),
                m -> System.err.println("serve: " + m))) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> open = send(http, base + "/api/volumes", "{\"path\":\"CT5N\"}");
            assertEquals(201, open.statusCode(), open.body());
            JsonNode v = ServeFixture.json(open);
            assertTrue(v.get("dicom").asBoolean());
            String vid = v.get("id").asText();
            send(http, base + "/api/volumes/" + vid + "/objects", "");
            int x = v.get("nx").asInt() / 2;
            int y = v.get("ny").asInt() / 2;
            HttpResponse<String> p = send(http, base + "/api/volumes/" + vid + "/objects/1/prompts",
                    "{\"slice\":2,\"point\":{\"x\":" + x + ",\"y\":" + y + "}}");
            assertEquals(200, p.statusCode(), p.body());
            HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(URI.create(base + "/api/volumes/" + vid
                    + "/mask.dcm")).header(TokenFilter.HEADER, ServeFixture.TOKEN).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, seg.statusCode());
            byte[] body = seg.body();
            assertEquals("DICM", new String(body, 128, 4, StandardCharsets.US_ASCII), "a DICOM file");
            assertTrue(new String(body, StandardCharsets.ISO_8859_1).contains(DicomSegWriter.SEG_SOP_CLASS),
                    "of the Segmentation Storage class");
        }
    }

    private static HttpResponse<String> send(HttpClient http, String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header(TokenFilter.HEADER, ServeFixture.TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
