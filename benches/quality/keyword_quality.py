"""Keyword quality of a `sacx run` directory (issue 6's quality bar).

Prints one table with every evaluation metric for IG keywords and the three
baselines (from evaluation.json), and checks, for the classes whose name is an
ordinary word, whether that word or a translation of it (in the bundled corpus's
12 languages) is among the class's top-10 keywords of each method.

usage: python keyword_quality.py RUN_DIR [--k 10]
"""
import argparse
import json
import os

# Class name -> the word and its translations, lower-cased, with common
# inflections (en, it, fr, de, pl, es, ru, pt, sv, fi, ja, zh).
CLASS_WORDS = {
    "Audio": "audio áudio аудио 音频 オーディオ ääni ljud son sonido suono dźwięk звук 音声 sound",
    "Development": "development sviluppo développement entwicklung programowanie desarrollo разработка desenvolvimento utveckling kehitys 開発 开发",
    "Education": "education educational istruzione educazione éducation éducatif bildung lernen edukacja educación educativo образование educação utbildning opetus koulutus 教育",
    "Electronics": "electronics electronic elettronica électronique elektronik elektronika electrónica электроника eletrônica elektroniikka 電子 电子",
    "Emulator": "emulator emulatore émulateur emulador эмулятор emulaattori エミュレータ 模拟器 emulators",
    "Engineering": "engineering ingegneria ingénierie technik inżynieria ingeniería инженерия engenharia teknik tekniikka 工学 工程",
    "Game": "game games gioco giochi jeu jeux spiel spiele gra gry juego juegos игра игры jogo jogos spel peli pelit ゲーム 游戏",
    "Graphics": "graphics grafica graphique graphiques grafik grafika gráficos графика gráficos grafiikka グラフィック 图形",
    "Math": "math maths mathematics matematica mathématiques mathematik matematyka matemáticas математика matemática matematik matematiikka 数学",
    "Music": "music musica musique musik muzyka música музыка musiikki 音楽 音乐",
    "Network": "network networks rete réseau réseaux netzwerk sieć red сеть rede nätverk verkko ネットワーク 网络",
    "Office": "office ufficio bureau büro biuro oficina офис escritório kontor toimisto オフィス 办公",
    "Player": "player lettore lecteur spieler odtwarzacz reproductor проигрыватель плеер reprodutor spelare soitin プレーヤー プレイヤー 播放器",
    "Science": "science scientific scienza scienze scientifique wissenschaft nauka ciencia наука ciência vetenskap tiede 科学",
    "Security": "security sicurezza sécurité sicherheit bezpieczeństwo seguridad безопасность segurança säkerhet turvallisuus セキュリティ 安全",
    "System": "system sistema système systeme система järjestelmä システム 系统",
    "Utility": "utility utilità utilitaire dienstprogramm narzędzie utilidad утилита utilitário verktyg apuohjelma ユーティリティ 实用",
    "Video": "video vidéo wideo vídeo видео 動画 ビデオ 视频",
    "Viewer": "viewer visualizzatore visionneuse betrachter przeglądarka visor просмотрщик visualizador visare katselin ビューア 查看器",
}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def top_words(keywords_json, k):
    return {c["class"]: [w["word"] for w in c["keywords"][:k]] for c in keywords_json["classes"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--k", type=int, default=10)
    a = ap.parse_args()
    evals = load(os.path.join(a.run_dir, "evaluation.json"))
    methods = [e["method"] for e in evals]
    print(f"label source: {evals[0]['label_source']}, documents: {evals[0]['n_documents']}")
    for k in sorted({r["k"] for e in evals for r in e["results"]}, reverse=True):
        print(f"\n| metric (K = {k}) | " + " | ".join(methods) + " |")
        print("|---|" + "---|" * len(methods))
        rows = [("distinctiveness", "distinctiveness"), ("macro coverage", "macro_coverage"),
                ("micro coverage", "micro_coverage"), ("cross-coverage", "cross_coverage"),
                ("corpus coverage", "corpus_coverage")]
        by_k = [next(r for r in e["results"] if r["k"] == k) for e in evals]
        def cell(v):
            return "—" if v is None else f"{v:.3f}"
        for label, key in rows:
            vals = [r[key]["mean"] if isinstance(r[key], dict) else r[key] for r in by_k]
            print(f"| {label} | " + " | ".join(cell(v) for v in vals) + " |")
        for sub in ["difference", "ratio", "normalised"]:
            vals = [r["coverage_distinctiveness"].get(sub) for r in by_k]
            print(f"| coverage distinctiveness ({sub}) | " + " | ".join(cell(v) for v in vals) + " |")
        faith = [("comprehensiveness (probability drop)", "keywords", "comprehensiveness_prob"),
                 ("comprehensiveness (logit drop)", "keywords", "comprehensiveness_logit"),
                 ("sufficiency (probability kept)", "keywords", "sufficiency_prob"),
                 ("control: probability drop", "control", "comprehensiveness_prob"),
                 ("control: probability kept", "control", "sufficiency_prob")]
        if all(r.get("faithfulness") for r in by_k):
            for label, part, key in faith:
                vals = [r["faithfulness"][part][key]["mean"] for r in by_k]
                print(f"| {label} | " + " | ".join(cell(v) for v in vals) + " |")
            full = by_k[0]["faithfulness"]["full_prob"]["mean"]
            print(f"| (unmodified class probability) | " + " | ".join(cell(full) for _ in by_k) + " |")
        with_kw = [sum(v is not None for v in r["distinctiveness"]["per_class"].values()) for r in by_k]
        print(f"| classes with keywords (of {len(by_k[0]['distinctiveness']['per_class'])}) | "
              + " | ".join(str(n) for n in with_kw) + " |")
    ig = load(os.path.join(a.run_dir, "keywords", "keywords.json"))
    for c in ig["classes"]:
        if not c["keywords"]:
            print(f"no IG keywords for {c['class']}: {c.get('note')}")
        negative = [w["word"] for w in c["keywords"] if w["score_mean"] <= 0]
        if negative:
            print(f"{c['class']}: keywords with mean attribution <= 0: {negative}")
    print(f"\nclass name (or a translation) among the top {a.k} keywords:")
    dirs = {"ig": "keywords"}
    for m in methods:
        if m != "ig":
            dirs[m] = os.path.join("keywords", m)
    hits = {}
    for m, d in dirs.items():
        tops = top_words(load(os.path.join(a.run_dir, d, "keywords.json")), a.k)
        found = [c for c, words in CLASS_WORDS.items() if set(words.split()) & set(tops.get(c, []))]
        hits[m] = found
        print(f"  {m:<9} {len(found)}/{len(CLASS_WORDS)}: {', '.join(found)}")
    return hits


if __name__ == "__main__":
    main()
