
import numpy as np
import pytest

from danas.errors import DataError
from engine.spec import resolve
from modalities.vision.dataverse import DataverseSource
from modalities.vision.image_folder import ImageFolderSource
from modalities.vision.modality import VisionModality
from modalities.vision.wake_vision_labels import FIELDS
from tests.modalities.fixtures import dataverse_tree, jpeg, write_csv


def test_dataverse_joins_csv_rows_to_tar_members_by_base_name(tmp_path):
    source = DataverseSource(dataverse_tree(tmp_path / "wv"), tmp_path / "listings")
    index = source.index("validation")
    assert len(index.records) == 19  # 20 rows, one person == -1
    assert index.dropped == {"person label -1": 1, "labelled but not in the archives present": 1}
    record = index.records[0]
    assert record.name == "validation_000.jpg" and record.label == 0
    assert set(record.fields) == set(FIELDS) and record.fields["far"] == -1
    assert "non-person_depiction" in record.fields


def test_dataverse_reads_only_the_chosen_members(tmp_path):
    source = DataverseSource(dataverse_tree(tmp_path / "wv"), None)
    records = source.index("validation").records[:3]
    got = dict(source.read("validation", records))
    assert sorted(got) == [0, 1, 2]
    assert got[0][:2] == b"\xff\xd8"  # JPEG bytes


def test_old_train_csv_name_is_accepted(tmp_path):
    source = DataverseSource(dataverse_tree(tmp_path / "wv"), None)
    records = source.index("train_quality").records
    assert len(records) == 19
    assert records[0].fields["near"] == -1  # not in the train CSV: unlabelled


def test_a_label_csv_saved_with_a_byte_order_mark_reads_like_one_without(tmp_path):
    plain = DataverseSource(dataverse_tree(tmp_path / "plain"), None).index("validation")
    root = dataverse_tree(tmp_path / "bom")
    csv_path = root / "wake_vision_validation.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes())  # Excel's "CSV UTF-8"
    with_bom = DataverseSource(root, None).index("validation")
    assert with_bom.records == plain.records and len(with_bom.records) == 19


def test_missing_columns_name_the_file(tmp_path):
    root = dataverse_tree(tmp_path / "wv")
    write_csv(root / "wake_vision_validation.csv", ["name", "label"], [["a.jpg", 1]])
    with pytest.raises(DataError, match=r"wake_vision_validation.csv: missing column\(s\) filename, person"):
        DataverseSource(root, None).index("validation")


def test_parquet_shards(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    (tmp_path / "data").mkdir()
    table = pa.table({
        "filename": [f"{i}.jpg" for i in range(6)],
        "person": [0, 1, 0, 1, -1, 1],
        "image": [{"bytes": jpeg((i * 40, 0, 0)), "path": f"{i}.jpg"} for i in range(6)],
        "dark": [0, 0, 1, 0, 0, 0],
    })
    pq.write_table(table, tmp_path / "data" / "validation-00000-of-00001.parquet", row_group_size=2)
    from modalities.vision.parquet import ParquetSource

    source = ParquetSource(tmp_path)
    index = source.index("validation")
    assert [r.label for r in index.records] == [0, 1, 0, 1, 1]
    assert index.dropped == {"person label -1": 1}
    assert index.records[2].fields["dark"] == 1 and index.records[0].fields["near"] == -1
    got = dict(source.read("validation", index.records[3:]))
    assert sorted(got) == [0, 1]


HF_COLUMNS = ("age_unknown", "body_part", "bright", "dark", "depiction", "far", "filename", "gender_unknown", "image",
              "medium_distance", "middle_age", "near", "non-person_depiction", "non-person_non-depiction",
              "normal_lighting", "older", "person", "person_depiction", "predominantly_female",
              "predominantly_male", "young")  # the Hugging Face release's columns, in card order


def hf_shard(path, split: str, n: int, offset: int = 0) -> list[int]:
    """A shard as the Hugging Face release writes it (int64 labels, image struct {bytes, path});
    returns the person labels."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    people = [(i + offset) % 2 for i in range(n)]
    columns = {}
    for name in HF_COLUMNS:
        if name == "filename":
            columns[name] = pa.array([f"{split}_{offset + i:05d}.jpg" for i in range(n)], pa.string())
        elif name == "image":
            structs = [{"bytes": jpeg((200 * p, 40, 60), size=(24 + i, 20)), "path": f"{split}_{offset + i:05d}.jpg"}
                       for i, p in enumerate(people)]
            columns[name] = pa.array(structs, pa.struct([("bytes", pa.binary()), ("path", pa.string())]))
        elif name == "person":
            columns[name] = pa.array(people, pa.int64())
        else:
            columns[name] = pa.array([i % 3 - 1 for i in range(n)], pa.int64())
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path, row_group_size=4)
    return people


def test_hugging_face_shards_load_through_format_auto(tmp_path):
    root = tmp_path / "Wake-Vision"
    labels = {"train_quality": hf_shard(root / "data" / "train_quality_part_0-00000-of-00030.parquet",
                                        "train_quality", 10)
              + hf_shard(root / "data" / "train_quality_part_1-00001-of-00030.parquet", "train_quality", 6, 10),
              "validation": hf_shard(root / "data" / "validation-00000-of-00001.parquet", "validation", 8),
              "test": hf_shard(root / "data" / "test-00000-of-00031.parquet", "test", 8)}
    _, config = resolve({"dataset": {"source": "wake_vision", "path": str(root), "format": "auto",
                                     "cache_dir": str(tmp_path / "cache")},
                         "modality": {"resolutions": [8], "color": ["rgb"]}})
    modality = VisionModality(config)
    info = modality.load()
    assert info.format == "parquet"
    assert info.counts == {"train": 16, "validation": 8, "test": 8}
    for split, name in (("train", "train_quality"), ("validation", "validation"), ("test", "test")):
        arrays = modality.arrays(split, {"resolution": 8, "color": "rgb"})
        assert arrays.x.shape == (len(labels[name]), 8, 8, 3) and arrays.skipped == 0
        assert sorted(arrays.y.tolist()) == sorted(labels[name])
        red = arrays.x[..., 0].reshape(len(arrays.y), -1).mean(axis=1)
        assert ((red > 100) == (arrays.y == 1)).all()  # each image arrived with its own label


def test_image_folder_classes_are_folder_names(tmp_path):
    for split in ("train", "validation"):
        for cls in ("0", "1"):
            (tmp_path / split / cls).mkdir(parents=True)
            for i in range(3):
                (tmp_path / split / cls / f"{i}.jpg").write_bytes(jpeg((10, 200, 10)))
    source = ImageFolderSource(tmp_path)
    assert source.classes == ("0", "1")
    assert [r.label for r in source.index("validation").records] == [0, 0, 0, 1, 1, 1]
    with pytest.raises(DataError, match="no such split folder"):
        source.index("test")


def vision_config(path, **modality):
    _, config = resolve({"dataset": {"source": "wake_vision", "path": str(path), "cache_dir": str(path / "cache"),
                                     "splits": {"train": "train_quality", "test": "validation"}},
                         "modality": {"resolutions": [8, 16], "color": ["mono", "rgb"], **modality}})
    return config


def test_modality_shapes_labels_and_cache(tmp_path):
    modality = VisionModality(vision_config(dataverse_tree(tmp_path / "wv")))
    info = modality.load()
    assert info.counts == {"train": 19, "validation": 19, "test": 19}
    assert not info.builtin and len(info.fingerprint) == 16
    arrays = modality.arrays("validation", {"resolution": 8, "color": "mono"})
    assert arrays.x.shape == (19, 8, 8, 1) and arrays.x.dtype == np.uint8
    rgb = modality.arrays("validation", {"resolution": 16, "color": "rgb"})
    assert rgb.x.shape == (19, 16, 16, 3)
    # Red images are person (odd rows), blue ones are not: labels stay with their pixels.
    red = rgb.x[..., 0].mean(axis=(1, 2)) > rgb.x[..., 2].mean(axis=(1, 2))
    assert (red == (rgb.y == 1)).all()
    # Mono is luminance: a blue image is darker than a red one.
    assert arrays.x[rgb.y == 0].mean() < arrays.x[rgb.y == 1].mean()
    x = modality.to_model_input(np.asarray(rgb.x))
    assert x.min() >= -1 and x.max() <= 1
    cached = sorted(p.name for p in (tmp_path / "wv" / "cache" / "vision").iterdir())
    again = VisionModality(vision_config(tmp_path / "wv"))
    again.load()
    again.arrays("validation", {"resolution": 16, "color": "rgb"})
    assert sorted(p.name for p in (tmp_path / "wv" / "cache" / "vision").iterdir()) == cached


def test_input_bytes_per_configuration(tmp_path):
    modality = VisionModality(vision_config(tmp_path))
    assert modality.input_bytes({"resolution": 96, "color": "rgb"}, 1) == 96 * 96 * 3
    assert modality.input_bytes({"resolution": 96, "color": "mono"}, 2) == 96 * 96 * 2


def test_corrupt_images_are_skipped_and_counted(tmp_path):
    root = tmp_path / "folder"
    for split in ("train", "validation", "test"):
        for cls in ("0", "1"):
            (root / split / cls).mkdir(parents=True)
            for i in range(25):
                (root / split / cls / f"{i}.jpg").write_bytes(jpeg((i, i, i)))
    (root / "validation" / "1" / "7.jpg").write_bytes(b"not a jpeg")
    _, config = resolve({"dataset": {"source": "image_folder", "path": str(root), "cache_dir": str(tmp_path / "c")},
                         "modality": {"resolutions": [8], "color": ["rgb"]}})
    modality = VisionModality(config)
    modality.load()
    arrays = modality.arrays("validation", {"resolution": 8, "color": "rgb"})
    assert arrays.x.shape[0] == 49 and arrays.skipped == 1
    assert np.bincount(arrays.y).tolist() == [25, 24]  # the label of the unreadable class-1 image went with it
    for i in range(10):
        (root / "test" / "0" / f"{i}.jpg").write_bytes(b"broken")
    with pytest.raises(DataError, match="10 of 50 files could not be read"):
        modality.arrays("test", {"resolution": 8, "color": "rgb"})


def test_missing_data_is_a_clear_error_unless_generation_is_allowed(tmp_path):
    _, config = resolve({"dataset": {"source": "wake_vision", "path": str(tmp_path / "nothing")}})
    with pytest.raises(DataError, match="no dataset found; expected the Wake Vision Dataverse release"):
        VisionModality(config).load()


def test_single_class_training_split_is_refused(tmp_path):
    root = tmp_path / "folder"
    for split in ("train", "validation", "test"):
        (root / split / "a").mkdir(parents=True)
        (root / split / "a" / "1.jpg").write_bytes(jpeg((1, 2, 3)))
    _, config = resolve({"dataset": {"source": "image_folder", "path": str(root), "cache_dir": str(tmp_path / "c")}})
    with pytest.raises(DataError, match="single class"):
        VisionModality(config).load()
